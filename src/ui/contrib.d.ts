/** The one blessed-contrib widget the dashboard uses, deep-imported (loading all of blessed-contrib costs ~0.24 s). */
declare module 'blessed-contrib/lib/widget/charts/line.js' {
  const line: (options: Record<string, unknown>) => import('blessed').Widgets.BoxElement & {
    setData(series: { title: string; x: string[]; y: number[]; style?: { line?: number[] | string } }[]): void;
  };
  export default line;
}
