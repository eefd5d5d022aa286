// Vite's `?url` imports (the pdf.js worker is loaded from the app's own files): the module's
// default export is the URL Vite gives the emitted file.
declare module '*?url' {
  const url: string;
  export default url;
}
