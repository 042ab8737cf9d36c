/**
 * The lists of flags, segments, environments and credentials: a table that scrolls sideways on a
 * narrow screen rather than squeezing, whose first column names the row.
 */
import type { HTMLAttributes, ReactNode } from "react";

export interface Column<Row> {
  /** The heading; a string heading of "" is read as "Actions" and not shown. */
  header: ReactNode;
  cell(row: Row): ReactNode;
  className?: string;
}

export function DataTable<Row>({
  caption,
  columns,
  rows,
  rowKey,
  rowProps,
  className,
}: {
  /** Read by screen readers only: the page's heading says it already. */
  caption: string;
  columns: Column<Row>[];
  rows: Row[];
  rowKey(row: Row): string;
  rowProps?(row: Row): HTMLAttributes<HTMLTableRowElement> & { "aria-current"?: boolean | undefined };
  className?: string;
}) {
  return (
    <div className="table-wrap">
      <table className={className}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column, index) => (
              <th key={index} scope="col" className={column.className}>
                {column.header === "" ? <span className="visually-hidden">Actions</span> : column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)} {...rowProps?.(row)}>
              {columns.map((column, index) =>
                index === 0 ? (
                  <th key={index} scope="row" className={column.className}>
                    {column.cell(row)}
                  </th>
                ) : (
                  <td key={index} className={column.className}>
                    {column.cell(row)}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
