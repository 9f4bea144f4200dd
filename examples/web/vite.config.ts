import { defineConfig } from 'vite';

// The service allows this origin by CORS in development (CORS_ORIGINS=http://localhost:5173):
// keep the port fixed rather than let Vite pick another one that CORS would refuse.
export default defineConfig({
  server: { host: 'localhost', port: 5173, strictPort: true },
  preview: { host: 'localhost', port: 5173, strictPort: true },
  build: { target: 'es2022' },
});
