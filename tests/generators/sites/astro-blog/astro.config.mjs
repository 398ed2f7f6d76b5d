// An Astro 5 blog laid out like Astro's blog starter: a `blog` content collection read by the
// glob loader, one page per post at /blog/<id>/, served under a base path.
import { defineConfig } from "astro/config";

export default defineConfig({
  site: "https://astro.example.com",
  base: "/notes",
});
