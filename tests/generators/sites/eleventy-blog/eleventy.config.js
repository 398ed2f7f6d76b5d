// An Eleventy blog laid out like eleventy-base-blog: content/ is the input folder, posts in
// content/blog/, drafts left out of the build, images copied through.
export default function (eleventyConfig) {
  eleventyConfig.addPassthroughCopy({ "content/img": "img" });
  eleventyConfig.addPreprocessor("drafts", "*", (data) => {
    if (data.draft) {
      return false;
    }
  });
}

export const config = {
  dir: { input: "content", includes: "../_includes", data: "../_data" },
  markdownTemplateEngine: "njk",
};
