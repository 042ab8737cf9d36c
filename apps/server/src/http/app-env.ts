import type { Principal } from "../auth/principal.js";

/** Per-request values every route can read with `c.var`. */
export type AppEnv = {
  Variables: {
    principal: Principal | null;
  };
};
