// What stands in for a thumbnail the document does not have: its kind, in large type.

export function DocumentIcon({ contentType }: { contentType: string }) {
  return (
    <span className="doc-icon" aria-hidden="true">
      {kindOf(contentType)}
    </span>
  );
}

export function kindOf(contentType: string): string {
  if (contentType === 'application/pdf') return 'PDF';
  if (contentType === 'application/dicom') return 'DICOM';
  if (contentType.startsWith('image/')) return 'Image';
  if (contentType.startsWith('video/')) return 'Video';
  if (contentType.startsWith('text/')) return 'Text';
  return 'File';
}
