// Stylesheets imported for their side effect: esbuild emits them as the portal's one CSS file.
declare module '*.css';
