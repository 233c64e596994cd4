/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the front matter parser and its lookups. */
#include "config.h"

#include "lean-frontmatter.h"

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(LeanFrontmatter) fm = lean_frontmatter_parse (bytes, NULL);

  if (fm != NULL)
    {
      g_auto(GStrv) tags = lean_frontmatter_dup_strv (fm, "tags");

      (void)lean_frontmatter_get_string (fm, "status");
      (void)lean_frontmatter_get_body_offset (fm);
    }
  return 0;
}
