// One sentence from a schema's complaints, e.g. `hotFolders.0.path: Use a full folder path`, for
// messages that tell the user which value was refused and why.

export function describeIssues(
  issues: readonly { path: PropertyKey[]; message: string }[],
): string {
  return issues
    .map((issue) =>
      issue.path.length ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message,
    )
    .join('; ');
}
