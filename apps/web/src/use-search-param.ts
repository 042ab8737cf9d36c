/** A URL query parameter as component state, for filters that should survive a shared link. */
import { useEffect, useRef, useState } from "react";
import { useSearchParams } from "react-router";

/**
 * One URL query parameter as state. The control shows the new value at once and the URL follows;
 * react-router applies navigations in a transition, so a control bound to the URL alone would lag
 * (a checkbox would even bounce back for a frame). A change of the URL made elsewhere (Back, a
 * shared link, "Clear filters") wins.
 */
export function useSearchParam(name: string, { replace = false } = {}): [string, (value: string) => void] {
  const [params, setParams] = useSearchParams();
  const inUrl = params.get(name) ?? "";
  const [value, setValue] = useState(inUrl);
  const written = useRef(inUrl);
  useEffect(() => {
    if (inUrl !== written.current) {
      written.current = inUrl;
      setValue(inUrl);
    }
  }, [inUrl]);
  const set = (next: string) => {
    setValue(next);
    written.current = next;
    setParams(
      (current) => {
        const updated = new URLSearchParams(current);
        if (next === "") updated.delete(name);
        else updated.set(name, next);
        return updated;
      },
      { replace },
    );
  };
  return [value, set];
}
