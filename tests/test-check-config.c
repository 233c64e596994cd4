/* SPDX-License-Identifier: MIT */
/* checks.json read and refused, checks detected on small real trees, saved
 * and read back; a validation of a temp project with completion rules. */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "lean-check-config.h"
#include "lean-error.h"
#include "lean-validation.h"
#include "test-util.h"

static void
test_parse (void)
{
  static const char text[] =
    "{\"checks\": [\n"
    "  {\"id\": \"tests\", \"name\": \"Tests\", \"kind\": \"test\", \"run\": [\"make\", \"test\"],\n"
    "   \"timeout\": 30, \"cwd\": \"./sub//dir/\"},\n"
    "  {\"id\": \"lint\", \"run\": [\"ruff\", \"check\", \"a b\"]}\n"
    "], \"critic\": true, \"maxIterations\": 4}\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanCheckConfig) config = lean_check_config_parse (text, -1, NULL, &error);
  g_autofree char *described = NULL;
  LeanCheck *check;

  g_assert_no_error (error);
  g_assert_cmpint (lean_check_config_get_source (config), ==, LEAN_CHECK_SOURCE_FILE);
  g_assert_cmpuint (lean_check_config_get_n_checks (config), ==, 2);
  g_assert_true (lean_check_config_get_critic (config));
  g_assert_cmpuint (lean_check_config_get_max_iterations (config), ==, 4);
  g_assert_cmpuint (strlen (lean_check_config_get_sha256 (config)), ==, 64);

  check = lean_check_config_get_check (config, 0);
  g_assert_cmpstr (check->id, ==, "tests");
  g_assert_cmpstr (check->name, ==, "Tests");
  g_assert_cmpint (check->kind, ==, LEAN_CHECK_KIND_TEST);
  g_assert_cmpuint (check->timeout, ==, 30);
  g_assert_cmpstr (check->cwd, ==, "sub/dir");

  check = lean_check_config_find_check (config, "lint");
  g_assert_cmpstr (check->name, ==, "lint");
  g_assert_cmpint (check->kind, ==, LEAN_CHECK_KIND_CUSTOM);
  g_assert_cmpuint (check->timeout, ==, LEAN_CHECK_DEFAULT_TIMEOUT);
  g_assert_cmpstr (check->cwd, ==, ".");
  described = lean_check_describe_argv (check);
  g_assert_cmpstr (described, ==, "ruff check 'a b'");

  /* Untrusted unless the trust function says so, for this content. */
  g_assert_false (lean_check_config_is_trusted (config, NULL, NULL));
}

typedef struct
{
  const char *text;
  const char *message;
} BadCase;

static void
test_malformed (void)
{
  g_autoptr(GString) deep = g_string_new ("{\"checks\": ");
  static const BadCase cases[] = {
    { "{\"checks\": [\n  {\"id\": \"a\", \"run\": [\"make\"]\n  {\"id\": \"b\"}\n]}",
      ".lean-spec/checks.json:2:29: unexpected character" },
    { "{\"checks\": [],\n\n  \"critic\": tru }", ".lean-spec/checks.json:3:" },
    { "{\"checks\": [{\"id\": \"a\", \"run\": \"make test\"}]}",
      ".lean-spec/checks.json: check \"a\": \"run\" must be a list" },
    { "{\"checks\": [{\"id\": \"a\", \"run\": []}]}", "\"run\" must be a list" },
    { "{\"checks\": [{\"id\": \"a b\", \"run\": [\"x\"]}]}", "check 1 needs an \"id\"" },
    { "{\"checks\": [{\"id\": \"a\", \"run\": [\"x\"]}, {\"id\": \"a\", \"run\": [\"y\"]}]}",
      "two checks have the id \"a\"" },
    { "{\"checks\": [{\"id\": \"a\", \"run\": [\"x\"], \"cwd\": \"../up\"}]}",
      "\"cwd\" must be a folder inside the project" },
    { "{\"checks\": [{\"id\": \"a\", \"run\": [\"x\"], \"cwd\": \"/etc\"}]}",
      "\"cwd\" must be a folder inside the project" },
    { "{\"checks\": [{\"id\": \"a\", \"run\": [\"x\"], \"timeout\": 0}]}", "\"timeout\" must be" },
    { "{\"checks\": [{\"id\": \"a\", \"run\": [\"x\"], \"kind\": \"fast\"}]}", "\"kind\" must be" },
    { "{\"checks\": [], \"maxIterations\": 0}", "\"maxIterations\" must be" },
    { "[1, 2]", "expected an object with a \"checks\" list" },
    { "", ".lean-spec/checks.json: " },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LeanCheckConfig) config = lean_check_config_parse (cases[i].text, -1, NULL,
                                                                   &error);

      g_test_message ("case %u: %s", i, error ? error->message : "(no error)");
      g_assert_null (config);
      g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
      g_assert_true (g_str_has_prefix (error->message, ".lean-spec/checks.json"));
      g_assert_nonnull (strstr (error->message, cases[i].message));
    }

  /* Nesting deeper than the bound: refused with where it happened. */
  for (guint i = 0; i < 40; i++)
    g_string_append (deep, "\n[");
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(LeanCheckConfig) config = lean_check_config_parse (deep->str, -1, NULL, &error);

    g_assert_null (config);
    g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
    g_assert_true (g_str_has_prefix (error->message, ".lean-spec/checks.json:17:1: "));
  }
}

static void
test_load_file_and_confinement (void)
{
  g_autofree char *dir = test_util_make_tmp_dir ();
  g_autofree char *outside = test_util_make_tmp_dir ();
  g_autofree char *link_target = g_build_filename (outside, "checks.json", NULL);
  g_autofree char *link = g_build_filename (dir, ".lean-spec", "checks.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanCheckConfig) config = NULL;
  g_autoptr(LeanCheckConfig) refused = NULL;

  /* The file wins over what the tree suggests. */
  test_util_write_file (dir, "Makefile", "test:\n\ttrue\n");
  test_util_write_file (dir, ".lean-spec/checks.json",
                        "{\"checks\": [{\"id\": \"mine\", \"run\": [\"true\"]}]}");
  config = lean_check_config_load (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lean_check_config_get_source (config), ==, LEAN_CHECK_SOURCE_FILE);
  g_assert_cmpuint (lean_check_config_get_n_checks (config), ==, 1);
  g_assert_cmpstr (lean_check_config_get_check (config, 0)->id, ==, "mine");
  g_assert_true (g_str_has_suffix (lean_check_config_get_path (config), "/.lean-spec/checks.json"));

  /* A checks file that is a link out of the project is not read. */
  test_util_write_file (outside, "checks.json",
                        "{\"checks\": [{\"id\": \"evil\", \"run\": [\"true\"]}]}");
  g_assert_cmpint (unlink (link), ==, 0);
  g_assert_cmpint (symlink (link_target, link), ==, 0);
  refused = lean_check_config_load (dir, &error);
  g_assert_null (refused);
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "outside the project"));

  test_util_rm_rf (dir);
  test_util_rm_rf (outside);
}

typedef struct
{
  const char *files[6][2];
  const char *expected;   /* "id=argv;id=argv" */
} DetectCase;

static char *
describe_config (LeanCheckConfig *config)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < lean_check_config_get_n_checks (config); i++)
    {
      LeanCheck *check = lean_check_config_get_check (config, i);
      g_autofree char *argv = lean_check_describe_argv (check);

      g_string_append_printf (out, "%s%s=%s", i ? ";" : "", check->id, argv);
    }
  return g_string_free (out, FALSE);
}

static void
test_detect (void)
{
  static const DetectCase cases[] = {
    { { { "Makefile", "all:\n\tcc x.c\n\ntest: all\n\t./run-tests\n" } },
      "make-test=make test" },
    { { { "GNUmakefile", "CHECK := 1\ncheck:\n\t./t\n" } }, "make-check=make check" },
    { { { "Makefile", "TEST := 1\nall:\n\ttrue\n" } }, "" },
    { { { "meson.build", "project('x')\n" },
        { "build/meson-private/coredata.dat", "x" },
        { "_build/meson-private/coredata.dat", "x" } },
      "meson-test=meson test -C _build" },
    { { { "meson.build", "project('x')\n" } }, "" },
    { { { "package.json", "{\"scripts\": {\"test\": \"node --test\", \"lint\": \"eslint .\","
                          " \"type-check\": \"tsc --noEmit\"}}" } },
      "npm-test=npm run test;npm-lint=npm run lint;npm-typecheck=npm run type-check" },
    { { { "package.json", "{\"scripts\": {\"test\": \"echo \\\"Error: no test specified\\\" "
                          "&& exit 1\"}}" } }, "" },
    { { { "pyproject.toml", "[tool.pytest.ini_options]\naddopts = \"-q\"\n" } },
      "pytest=python3 -m pytest" },
    { { { "tests/test_api.py", "def test_x():\n    pass\n" } }, "pytest=python3 -m pytest" },
    { { { "tox.ini", "[tox]\n" } }, "" },
    { { { "Cargo.toml", "[package]\nname = \"x\"\n" } },
      "cargo-test=cargo test;cargo-clippy=cargo clippy" },
    { { { "go.mod", "module example.com/x\n" } }, "go-test=go test ./...;go-vet=go vet ./..." },
    { { { "README.md", "nothing to run\n" } }, "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *dir = test_util_make_tmp_dir ();
      g_autoptr(LeanCheckConfig) config = NULL;
      g_autofree char *found = NULL;

      for (guint j = 0; j < G_N_ELEMENTS (cases[i].files) && cases[i].files[j][0]; j++)
        test_util_write_file (dir, cases[i].files[j][0], cases[i].files[j][1]);
      config = lean_check_config_detect (dir);
      found = describe_config (config);
      g_test_message ("case %u", i);
      g_assert_cmpint (lean_check_config_get_source (config), ==, LEAN_CHECK_SOURCE_DETECTED);
      g_assert_cmpstr (found, ==, cases[i].expected);
      g_assert_true (lean_check_config_is_trusted (config, NULL, NULL));
      test_util_rm_rf (dir);
    }
}

static void
test_save_round_trip (void)
{
  g_autofree char *dir = test_util_make_tmp_dir ();
  g_autoptr(LeanCheckConfig) detected = NULL;
  g_autoptr(LeanCheckConfig) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  test_util_write_file (dir, "Cargo.toml", "[package]\n");
  detected = lean_check_config_detect (dir);
  g_assert_true (lean_check_config_save (detected, dir, &error));
  g_assert_no_error (error);
  loaded = lean_check_config_load (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lean_check_config_get_source (loaded), ==, LEAN_CHECK_SOURCE_FILE);
  a = describe_config (detected);
  b = describe_config (loaded);
  g_assert_cmpstr (a, ==, b);
  g_assert_cmpuint (lean_check_config_get_check (loaded, 1)->kind, ==, LEAN_CHECK_KIND_LINT);
  test_util_rm_rf (dir);
}

static gboolean
validation_finished (gpointer data)
{
  return lean_validation_is_finished (data);
}

static gboolean
trust_all (const char *path,
           const char *sha256,
           gpointer    data)
{
  return TRUE;
}

static void
test_validation_completion_and_trust (void)
{
  g_autofree char *dir = test_util_make_tmp_dir ();
  g_autofree char *marker = g_build_filename (dir, "ran", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(GPtrArray) specs = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(LeanCheckConfig) config = NULL;
  g_autoptr(LeanValidation) untrusted = NULL;
  g_autoptr(LeanValidation) trusted = NULL;
  g_autoptr(JsonNode) json = NULL;
  JsonObject *obj, *completion;
  LeanSpec *spec;

  test_util_write_file (dir, "specs/001-parent/README.md",
                        "---\nstatus: in-progress\ncreated: '2026-01-01'\n---\n# Parent\n\n"
                        "- [x] done\n- [ ] write the docs\n");
  test_util_write_file (dir, "specs/002-child/README.md",
                        "---\nstatus: planned\ncreated: '2026-01-01'\nparent: 001-parent\n---\n"
                        "# Child\n");
  test_util_write_file (dir, "specs/003-other/README.md",
                        "---\nstatus: complete\ncreated: '2026-01-01'\nparent: 001-parent\n---\n"
                        "# Other\n");
  test_util_write_file (dir, ".lean-spec/checks.json",
                        "{\"checks\": [{\"id\": \"touch\", \"run\": [\"touch\", \"ran\"]}]}");

  project = lean_project_open (dir, &error);
  g_assert_no_error (error);
  specs = lean_project_load_specs (project, &problems, NULL, &error);
  g_assert_no_error (error);
  spec = lean_project_find_spec (project, specs, "1", &error);
  g_assert_no_error (error);
  config = lean_check_config_load (dir, &error);
  g_assert_no_error (error);

  /* Untrusted: the command never runs, the check is an error naming the file. */
  untrusted = lean_validation_new ("001-parent", config, dir);
  lean_validation_run (untrusted);
  g_assert_true (test_util_wait_until (validation_finished, untrusted, 30000));
  g_assert_cmpint (lean_check_run_get_status (lean_validation_get_run (untrusted, 0)), ==,
                   LEAN_CHECK_STATUS_ERROR);
  g_assert_nonnull (strstr (lean_check_run_get_message (lean_validation_get_run (untrusted, 0)),
                            "checks.json is not trusted"));
  g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
  g_assert_false (lean_validation_get_passed (untrusted));

  trusted = lean_validation_new ("001-parent", config, dir);
  lean_validation_set_trusted (trusted,
                               lean_check_config_is_trusted (config, trust_all, NULL));
  lean_validation_set_completion (trusted, project, specs, spec);
  lean_validation_run (trusted);
  g_assert_true (test_util_wait_until (validation_finished, trusted, 30000));
  g_assert_true (g_file_test (marker, G_FILE_TEST_EXISTS));
  g_assert_cmpint (lean_check_run_get_status (lean_validation_get_run (trusted, 0)), ==,
                   LEAN_CHECK_STATUS_PASSED);
  /* The checks passed; the open item and the open child still fail it. */
  g_assert_false (lean_validation_get_passed (trusted));

  json = lean_validation_to_json (trusted);
  obj = json_node_get_object (json);
  g_assert_cmpstr (json_object_get_string_member (obj, "spec"), ==, "001-parent");
  g_assert_false (json_object_get_boolean_member (obj, "passed"));
  g_assert_true (json_object_get_null_member (obj, "critic"));
  completion = json_object_get_object_member (obj, "completion");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (completion, "open_items")),
                    ==, 1);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (completion,
                                                                                "open_items"), 0),
                   ==, "line 8: write the docs");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (completion,
                                                                         "open_children")), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (completion,
                                                                                "open_children"), 0),
                   ==, "002-child");
  test_util_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/check-config/parse", test_parse);
  g_test_add_func ("/check-config/malformed", test_malformed);
  g_test_add_func ("/check-config/load-file-and-confinement", test_load_file_and_confinement);
  g_test_add_func ("/check-config/detect", test_detect);
  g_test_add_func ("/check-config/save-round-trip", test_save_round_trip);
  g_test_add_func ("/validation/completion-and-trust", test_validation_completion_and_trust);

  return g_test_run ();
}
