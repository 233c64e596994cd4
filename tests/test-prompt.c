/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "lean-error.h"
#include "lean-project.h"
#include "lean-prompt.h"
#include "test-util.h"

static char *
read_text (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

/* A line of @text that occurs once, to find the file's content in the
 * prompt without relying on the whole file. */
static const char *
some_line (char **lines)
{
  for (guint i = g_strv_length (lines) / 2; lines[i] != NULL; i++)
    if (strlen (lines[i]) > 25)
      return lines[i];
  return lines[0];
}

static void
test_corpus_spec (void)
{
  const char *source_root = g_getenv ("LEANSPEC_SOURCE_ROOT");
  g_autofree char *corpus = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *root = NULL;
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(GPtrArray) specs = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *prompt = NULL;
  g_autofree char *readme = NULL;
  g_autofree char *dep_line = NULL;
  const char *cp_argv[] = { "cp", "-r", NULL, NULL, NULL };
  const char *subs[] = { "DATABASE.md", "DEPLOYMENT.md", "FILESYSTEM.md", "IMPLEMENTATION.md" };
  LeanSpec *spec;
  LeanSpec *dep;

  corpus = g_build_filename (source_root != NULL ? source_root : "..", "..", "shared", "corpus",
                             "lean-spec", NULL);
  if (!g_file_test (corpus, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("the shared corpus is not beside the source tree");
      return;
    }

  /* Never touch the corpus itself. */
  tmp = g_dir_make_tmp ("lean-prompt-XXXXXX", NULL);
  root = g_build_filename (tmp, "lean-spec", NULL);
  cp_argv[2] = corpus;
  cp_argv[3] = root;
  g_assert_true (g_spawn_sync (NULL, (char **)cp_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, NULL, NULL, NULL));

  project = lean_project_open (root, &error);
  g_assert_no_error (error);
  specs = lean_project_load_specs (project, &problems, NULL, &error);
  g_assert_no_error (error);
  spec = lean_project_find_spec (project, specs, "082", &error);
  g_assert_no_error (error);
  dep = lean_project_find_spec (project, specs, "035-live-specs-showcase", &error);
  g_assert_no_error (error);

  prompt = lean_prompt_build (project, specs, spec, &error);
  g_assert_no_error (error);

  /* The instruction. */
  g_assert_nonnull (strstr (prompt, "Implement the LeanSpec spec 082-web-realtime-sync-"
                                    "architecture “Web App Realtime Spec Sync Architecture”"));
  g_assert_nonnull (strstr (prompt, "and its sub-spec files"));
  g_assert_nonnull (strstr (prompt, "Keep the spec's checklist current"));
  g_assert_nonnull (strstr (prompt, "\"- [x]\" in specs/082-web-realtime-sync-architecture/"
                                    "README.md"));

  /* The README, whole and unchanged. */
  readme = read_text (lean_spec_get_readme_path (spec));
  g_assert_nonnull (strstr (prompt, readme));

  /* Each sub-spec file, named with its path. */
  for (guint i = 0; i < G_N_ELEMENTS (subs); i++)
    {
      g_autofree char *path = g_build_filename (lean_spec_get_dir (spec), subs[i], NULL);
      g_autofree char *text = read_text (path);
      g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
      g_autofree char *heading = g_strdup_printf ("### Sub-spec %s\n\nFile: specs/082-web-"
                                                  "realtime-sync-architecture/%s\n", subs[i],
                                                  subs[i]);

      g_assert_nonnull (strstr (prompt, heading));
      g_assert_nonnull (strstr (prompt, some_line (lines)));
    }

  /* The dependency, with its title and status as the project has them. */
  dep_line = g_strdup_printf ("- 035-live-specs-showcase “%s”: %s (%s)\n",
                              lean_spec_get_title (dep),
                              lean_spec_status_to_string (lean_spec_get_status (dep)),
                              lean_spec_get_rel_path (dep));
  g_assert_nonnull (strstr (prompt, dep_line));

  g_test_message ("prompt for 082: %zu bytes", strlen (prompt));
  test_util_rm_rf (tmp);
}

static void
test_template (void)
{
  g_autofree char *root = g_dir_make_tmp ("lean-prompt-XXXXXX", NULL);
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(GPtrArray) specs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *prompt = NULL;
  g_autofree char *no_specs_prompt = NULL;
  LeanSpec *spec;

  test_util_write_file (root, ".lean-spec/config.json",
              "{\"specsDir\": \"specs\",\n"
              " \"session_prompt_template\": \"Work on {spec_id} ({spec_title}) at "
              "{spec_path} in {project_path}.\\n\\n{specs}\\nReport back.\"}\n");
  test_util_write_file (root, "specs/001-alpha/README.md",
              "---\nstatus: planned\ncreated: '2026-01-01'\ndepends_on:\n  - 002-beta\n"
              "  - 077-gone\n---\n\n# Alpha\n\nQuote literally: {specs} and {spec_id}.\n\n"
              "```c\nint x;\n```\n\n- [ ] first\n- [x] second\n");
  test_util_write_file (root, "specs/001-alpha/NOTES.md", "Notes with ```` fences ````.\n");
  test_util_write_file (root, "specs/002-beta/README.md",
              "---\nstatus: in-progress\ncreated: '2026-01-01'\n---\n\n# Beta things\n");

  project = lean_project_open (root, &error);
  g_assert_no_error (error);
  specs = lean_project_load_specs (project, NULL, NULL, &error);
  g_assert_no_error (error);
  spec = lean_project_find_spec (project, specs, "1", &error);
  g_assert_no_error (error);

  prompt = lean_prompt_build (project, specs, spec, &error);
  g_assert_no_error (error);

  {
    g_autofree char *start = g_strdup_printf ("Work on 001-alpha (Alpha) at "
                                              "specs/001-alpha/README.md in %s.\n\n## Spec "
                                              "001-alpha: Alpha\n", root);

    g_assert_true (g_str_has_prefix (prompt, start));
  }
  g_assert_true (g_str_has_suffix (prompt, "\nReport back."));
  /* The built-in wording is replaced by the template. */
  g_assert_null (strstr (prompt, "Implement the LeanSpec spec"));
  /* Text in the spec that looks like a token stays as written. */
  g_assert_nonnull (strstr (prompt, "Quote literally: {specs} and {spec_id}."));
  g_assert_nonnull (strstr (prompt, "- 002-beta “Beta things”: in-progress "
                                    "(specs/002-beta/README.md)\n"));
  g_assert_nonnull (strstr (prompt, "- 077-gone: not found in this project\n"));
  /* The sub-spec's own fences cannot close ours. */
  g_assert_nonnull (strstr (prompt, "`````markdown\nNotes with ```` fences ````.\n`````\n"));

  /* Without {specs} the spec is still given, after the template. */
  test_util_write_file (root, ".lean-spec/config.json",
              "{\"session_prompt_template\": \"Just do {spec_id}.\"}");
  g_clear_object (&project);
  project = lean_project_open (root, &error);
  g_assert_no_error (error);
  no_specs_prompt = lean_prompt_build (project, NULL, spec, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (no_specs_prompt, "Just do 001-alpha.\n\n## Spec 001-alpha"));
  /* No spec list given: dependencies cannot be looked up. */
  g_assert_nonnull (strstr (no_specs_prompt, "- 002-beta: not found in this project\n"));

  test_util_rm_rf (root);
}

static void
test_unreadable_sub_spec (void)
{
  g_autofree char *root = g_dir_make_tmp ("lean-prompt-XXXXXX", NULL);
  g_autofree char *gone = g_build_filename (root, "specs", "001-alpha", "GONE.md", NULL);
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(GPtrArray) specs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *prompt = NULL;
  LeanSpec *spec;

  test_util_write_file (root, "specs/001-alpha/README.md",
              "---\nstatus: planned\ncreated: '2026-01-01'\n---\n\n# Alpha\n");
  test_util_write_file (root, "specs/001-alpha/GONE.md", "soon gone\n");
  project = lean_project_open (root, &error);
  g_assert_no_error (error);
  specs = lean_project_load_specs (project, NULL, NULL, &error);
  g_assert_no_error (error);
  spec = g_ptr_array_index (specs, 0);
  g_assert_cmpstr (lean_spec_get_sub_specs (spec)[0], ==, "GONE.md");

  /* Deleted between the scan and the prompt: say which file. */
  g_assert_cmpint (g_unlink (gone), ==, 0);
  prompt = lean_prompt_build (project, specs, spec, &error);
  g_assert_null (prompt);
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC);
  g_assert_nonnull (strstr (error->message, "specs/001-alpha/GONE.md"));

  test_util_rm_rf (root);
}

/* A later Ralph iteration's prompt: the spec text as it is now, the rest
 * (a person's edits, sub-specs) as it was. */
static void
test_update_spec_text (void)
{
  g_autofree char *root = g_dir_make_tmp ("lean-prompt-XXXXXX", NULL);
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(GPtrArray) specs = NULL;
  g_autoptr(GPtrArray) specs_now = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *built = NULL;
  g_autofree char *edited = NULL;
  g_autofree char *updated = NULL;
  g_autofree char *none = NULL;
  LeanSpec *spec;

  test_util_write_file (root, "specs/001-alpha/README.md",
                        "---\nstatus: planned\ncreated: '2026-01-01'\n---\n\n# Alpha\n\n"
                        "```sh\nmake\n```\n\n- [ ] one\n- [ ] two\n");
  test_util_write_file (root, "specs/001-alpha/NOTES.md", "- [ ] a note's own item\n");
  project = lean_project_open (root, &error);
  g_assert_no_error (error);
  specs = lean_project_load_specs (project, NULL, NULL, &error);
  g_assert_no_error (error);
  spec = lean_project_find_spec (project, specs, "001", &error);
  g_assert_no_error (error);
  built = lean_prompt_build (project, specs, spec, &error);
  g_assert_no_error (error);
  edited = g_strconcat (built, "\nA person's words after the spec.\n", NULL);

  /* The agent ticks an item and adds a longer fence of its own. */
  test_util_write_file (root, "specs/001-alpha/README.md",
                        "---\nstatus: planned\ncreated: '2026-01-01'\n---\n\n# Alpha\n\n"
                        "````md\n```sh\nmake\n```\n````\n\n- [x] one\n- [ ] two\n");
  specs_now = lean_project_load_specs (project, NULL, NULL, &error);
  g_assert_no_error (error);
  spec = lean_project_find_spec (project, specs_now, "001", &error);
  g_assert_no_error (error);
  updated = lean_prompt_update_spec_text (edited, spec);
  g_assert_nonnull (updated);
  g_assert_nonnull (strstr (updated, "`````markdown\n---\n"));
  g_assert_nonnull (strstr (updated, "- [x] one\n- [ ] two\n`````\n"));
  g_assert_null (strstr (updated, "- [ ] one"));
  g_assert_nonnull (strstr (updated, "- [ ] a note's own item\n"));
  g_assert_true (g_str_has_suffix (updated, "\nA person's words after the spec.\n"));
  g_assert_true (g_str_has_prefix (updated, "Implement the LeanSpec spec"));

  /* A prompt a person wrote without the spec section stays as it is. */
  none = lean_prompt_update_spec_text ("Implement spec 001, please.", spec);
  g_assert_null (none);

  test_util_rm_rf (root);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/prompt/corpus-spec", test_corpus_spec);
  g_test_add_func ("/prompt/template", test_template);
  g_test_add_func ("/prompt/unreadable-sub-spec", test_unreadable_sub_spec);
  g_test_add_func ("/prompt/update-spec-text", test_update_spec_text);

  return g_test_run ();
}
