// Stylesheets are bundled by esbuild into shell.css.
declare module '*.css';
