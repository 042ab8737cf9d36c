export function SegmentsPage() {
  return <h1>SegmentsPage</h1>;
}
