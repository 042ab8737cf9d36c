export function FlagPage() {
  return <h1>FlagPage</h1>;
}
