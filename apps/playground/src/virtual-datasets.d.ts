/** The bundled CSV files (build/datasets-plugin.ts). */
declare module 'virtual:datasets' {
  const files: readonly {
    name: string;
    columns: string[];
    rows: number;
    /** Inlined (small files). */
    text?: string;
    /** A separate asset to fetch (large files). */
    url?: string;
  }[];
  export default files;
}
