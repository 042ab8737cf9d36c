export function EnvironmentsPage() {
  return <h1>EnvironmentsPage</h1>;
}
