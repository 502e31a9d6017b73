/**
 * The two blessed widgets the dashboard builds, deep-imported: `import 'blessed'` loads all 30-odd widget
 * modules (about 15 ms more before the first frame). blessed.screen and blessed.box are these same functions.
 */
declare module 'blessed/lib/widgets/screen.js' {
  const screen: (options?: import('blessed').Widgets.IScreenOptions) => import('blessed').Widgets.Screen;
  export default screen;
}
declare module 'blessed/lib/widgets/box.js' {
  const box: (options?: import('blessed').Widgets.BoxOptions) => import('blessed').Widgets.BoxElement;
  export default box;
}
