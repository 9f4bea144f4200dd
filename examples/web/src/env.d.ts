/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The AuthCentre service's origin (no /api/v1); default http://localhost:3000. Set it in .env.local. */
  readonly VITE_API_URL?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
