/* SPDX-License-Identifier: MIT */
/* A stand-in for a coding agent CLI, for tests and benchmarks only (not
 * installed). It talks to its terminal the way real agents do: Claude-style
 * stream-json or ANSI text on stdout, a prompt read from stdin until EOF, a
 * question answered on stdin, floods, sleeps, SIGWINCH, exit statuses, and a
 * mode that ignores SIGTERM. Steps run in the order of the options below. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

static gboolean opt_ready;
static gboolean opt_print_args;
static char **opt_print_env;
static gboolean opt_ignore_term;
static gboolean opt_winsize;
static gboolean opt_text;
static gboolean opt_stream_json;
static gboolean opt_read_stdin;
static char *opt_ask;
static int opt_lines;
static double opt_flood_mb;
static double opt_sleep;
static int opt_exit;
static gboolean opt_echo_prompt;
static gboolean opt_print_tty;
static int opt_deep_json;
static char *opt_say_file;
static char *opt_fix_needle;
static char *opt_fix_file;
static char *opt_tick_file;
static char *opt_record_prompt;
/* Claude Code's own options, so the test agent can stand in for "claude". */
static gboolean opt_print_mode;
static gboolean opt_verbose;
static char *opt_output_format;
static char *opt_permission_mode;
static char *opt_model;
static char *opt_resume;

static volatile sig_atomic_t got_winch;

static const GOptionEntry entries[] = {
  { "ready", 0, 0, G_OPTION_ARG_NONE, &opt_ready,
    "Print READY pid=N first", NULL },
  { "print-args", 0, 0, G_OPTION_ARG_NONE, &opt_print_args,
    "Print each argument as ARG[i]=[...]", NULL },
  { "print-env", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_print_env,
    "Print ENV[VAR]=[value]", "VAR" },
  { "print-tty", 0, 0, G_OPTION_ARG_NONE, &opt_print_tty,
    "Print TTY stdin=B stdout=B ctty=B pgrp-leader=B", NULL },
  { "ignore-term", 0, 0, G_OPTION_ARG_NONE, &opt_ignore_term,
    "Ignore SIGTERM", NULL },
  { "winsize", 0, 0, G_OPTION_ARG_NONE, &opt_winsize,
    "Print SIZE rows cols now and on SIGWINCH", NULL },
  { "text", 0, 0, G_OPTION_ARG_NONE, &opt_text,
    "Print a few lines of coloured text", NULL },
  { "deep-json", 0, 0, G_OPTION_ARG_INT, &opt_deep_json,
    "Print one stream-json line with arrays nested N deep", "N" },
  { "stream-json", 0, 0, G_OPTION_ARG_NONE, &opt_stream_json,
    "Print a Claude stream-json run", NULL },
  { "echo-prompt", 0, 0, G_OPTION_ARG_NONE, &opt_echo_prompt,
    "Print PROMPT[...] for the last argument", NULL },
  { "say-file", 0, 0, G_OPTION_ARG_FILENAME, &opt_say_file,
    "Print the contents of FILE", "FILE" },
  { "fix-if-prompt-contains", 0, 0, G_OPTION_ARG_STRING, &opt_fix_needle,
    "Create the --fix-file only when the prompt contains TEXT", "TEXT" },
  { "fix-file", 0, 0, G_OPTION_ARG_FILENAME, &opt_fix_file,
    "The file that fixes the project (relative to the folder it runs in)", "FILE" },
  { "tick-phase-items", 0, 0, G_OPTION_ARG_FILENAME, &opt_tick_file,
    "Tick in FILE the items the prompt lists under \"Open items of this phase:\"", "FILE" },
  { "record-prompt", 0, 0, G_OPTION_ARG_FILENAME, &opt_record_prompt,
    "Append the prompt and a line \"=== END ===\" to FILE", "FILE" },
  { "read-stdin", 0, 0, G_OPTION_ARG_NONE, &opt_read_stdin,
    "Read stdin to EOF, print STDIN[n]:...", NULL },
  { "ask", 0, 0, G_OPTION_ARG_STRING, &opt_ask,
    "Print QUESTION, read a line, print ANSWER[...]", "QUESTION" },
  { "lines", 0, 0, G_OPTION_ARG_INT, &opt_lines,
    "Print N numbered lines", "N" },
  { "flood", 0, 0, G_OPTION_ARG_DOUBLE, &opt_flood_mb,
    "Print MB megabytes as fast as possible", "MB" },
  { "sleep", 0, 0, G_OPTION_ARG_DOUBLE, &opt_sleep,
    "Sleep SECONDS (reporting SIGWINCH)", "SECONDS" },
  { "exit", 0, 0, G_OPTION_ARG_INT, &opt_exit,
    "Exit with STATUS", "STATUS" },
  { "print", 'p', 0, G_OPTION_ARG_NONE, &opt_print_mode,
    "As claude -p (ignored)", NULL },
  { "verbose", 0, 0, G_OPTION_ARG_NONE, &opt_verbose,
    "As claude --verbose (ignored)", NULL },
  { "output-format", 0, 0, G_OPTION_ARG_STRING, &opt_output_format,
    "As claude: stream-json prints what --stream-json does", "FORMAT" },
  { "permission-mode", 0, 0, G_OPTION_ARG_STRING, &opt_permission_mode,
    "As claude (ignored)", "MODE" },
  { "model", 0, 0, G_OPTION_ARG_STRING, &opt_model,
    "As claude (ignored)", "MODEL" },
  { "resume", 0, 0, G_OPTION_ARG_STRING, &opt_resume,
    "As claude --resume: print RESUMED[ID] first", "ID" },
  { NULL }
};

static void
out (const char *data,
     size_t      len)
{
  while (len > 0)
    {
      ssize_t n = write (STDOUT_FILENO, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        exit (120);
      data += n;
      len -= n;
    }
}

static void
outs (const char *str)
{
  out (str, strlen (str));
}

static void G_GNUC_PRINTF (1, 2)
outf (const char *format,
      ...)
{
  g_autofree char *str = NULL;
  va_list args;

  va_start (args, format);
  str = g_strdup_vprintf (format, args);
  va_end (args);
  outs (str);
}

static void
on_winch (int signum)
{
  got_winch = 1;
}

static void
print_size (void)
{
  struct winsize size = { 0 };

  if (ioctl (STDOUT_FILENO, TIOCGWINSZ, &size) < 0)
    outs ("SIZE unknown\n");
  else
    outf ("SIZE %u %u\n", size.ws_row, size.ws_col);
}

static void
print_stream_json (const char *prompt)
{
  g_autofree char *first = g_strdup (prompt != NULL ? prompt : "nothing");
  g_autofree char *escaped = NULL;

  first[strcspn (first, "\r\n\"\\")] = '\0';
  escaped = g_strdup (first);

  /* The shapes are those of Claude Code 2.1 (see the recorded transcript);
   * the values are fixed so the tests can check what the parser reads. */
  outs ("{\"type\":\"system\",\"subtype\":\"init\",\"cwd\":\"/tmp/project\","
        "\"session_id\":\"5f0c2a4e-test-agent\",\"tools\":[\"Bash\",\"Edit\",\"Read\"],"
        "\"model\":\"claude-test-model\",\"permissionMode\":\"acceptEdits\","
        "\"apiKeySource\":\"none\",\"claude_code_version\":\"2.1.197\"}\n");
  outf ("{\"type\":\"assistant\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
        "\"role\":\"assistant\",\"model\":\"claude-test-model\",\"content\":[{\"type\":"
        "\"text\",\"text\":\"I will implement: %s\\nFirst I read the spec.\"}],"
        "\"usage\":{\"input_tokens\":10,\"output_tokens\":5}},\"parent_tool_use_id\":null,"
        "\"session_id\":\"5f0c2a4e-test-agent\"}\n", escaped);
  outs ("{\"type\":\"assistant\",\"message\":{\"id\":\"msg_2\",\"type\":\"message\","
        "\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_01\","
        "\"name\":\"Edit\",\"input\":{\"file_path\":\"/tmp/project/src/x.c\","
        "\"old_string\":\"a\",\"new_string\":\"b\"}}]},\"parent_tool_use_id\":null,"
        "\"session_id\":\"5f0c2a4e-test-agent\"}\n");
  outs ("{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":[{\"tool_use_id\":"
        "\"toolu_01\",\"type\":\"tool_result\",\"content\":\"The file /tmp/project/src/x.c "
        "has been updated.\\nline 2\\nline 3\"}]},\"parent_tool_use_id\":null,"
        "\"session_id\":\"5f0c2a4e-test-agent\"}\n");
  outs ("{\"type\":\"assistant\",\"message\":{\"id\":\"msg_3\",\"type\":\"message\","
        "\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_02\","
        "\"name\":\"Bash\",\"input\":{\"command\":\"make check\",\"description\":"
        "\"Run the tests\"}}]},\"parent_tool_use_id\":null,"
        "\"session_id\":\"5f0c2a4e-test-agent\"}\n");
  outs ("{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":[{\"tool_use_id\":"
        "\"toolu_02\",\"type\":\"tool_result\",\"is_error\":true,\"content\":[{\"type\":"
        "\"text\",\"text\":\"make: *** No rule to make target 'check'.\"}]}]},"
        "\"parent_tool_use_id\":null,\"session_id\":\"5f0c2a4e-test-agent\"}\n");
  outs ("{\"type\":\"assistant\",\"message\":{\"id\":\"msg_4\",\"type\":\"message\","
        "\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"Done: the spec "
        "is implemented. ✓\"}]},\"parent_tool_use_id\":null,"
        "\"session_id\":\"5f0c2a4e-test-agent\"}\n");
  outs ("{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,"
        "\"duration_ms\":1234,\"duration_api_ms\":1000,\"num_turns\":3,"
        "\"result\":\"Done: the spec is implemented. ✓\","
        "\"session_id\":\"5f0c2a4e-test-agent\",\"total_cost_usd\":0.0421,"
        "\"usage\":{\"input_tokens\":1234,\"cache_creation_input_tokens\":11,"
        "\"cache_read_input_tokens\":89,\"output_tokens\":567}}\n");
}

static void
do_sleep (double seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)(seconds * G_USEC_PER_SEC);

  for (;;)
    {
      gint64 left = deadline - g_get_monotonic_time ();
      struct timespec ts;

      if (got_winch)
        {
          got_winch = 0;
          print_size ();
        }
      if (left <= 0)
        break;
      ts.tv_sec = left / G_USEC_PER_SEC;
      ts.tv_nsec = (left % G_USEC_PER_SEC) * 1000;
      /* Interrupted by SIGWINCH: report and go on sleeping. */
      nanosleep (&ts, NULL);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("[PROMPT]");
  g_autoptr(GError) error = NULL;
  char **original = g_strdupv (argv);
  const char *prompt = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "lean-test-agent: %s\n", error->message);
      return 2;
    }
  if (argc > 1)
    prompt = argv[argc - 1];

  if (opt_ignore_term)
    signal (SIGTERM, SIG_IGN);

  if (opt_winsize)
    {
      struct sigaction action = { 0 };

      action.sa_handler = on_winch;
      sigemptyset (&action.sa_mask);
      action.sa_flags = 0; /* no SA_RESTART: interrupt the sleep */
      sigaction (SIGWINCH, &action, NULL);
    }

  if (opt_ready)
    outf ("READY pid=%d\n", (int)getpid ());

  if (opt_resume != NULL)
    outf ("RESUMED[%s]\n", opt_resume);
  /* What the agent received, for a test that cannot pass options (a
   * builtin agent's command line): its conversation id and prompt. */
  if (g_getenv ("LEAN_TEST_AGENT_RECORD") != NULL)
    {
      g_autofree char *record = g_strdup_printf ("resume=%s\nprompt=%s\n",
                                                 opt_resume != NULL ? opt_resume : "",
                                                 prompt != NULL ? prompt : "");

      g_file_set_contents (g_getenv ("LEAN_TEST_AGENT_RECORD"), record, -1, NULL);
    }
  if (g_strcmp0 (opt_output_format, "stream-json") == 0)
    opt_stream_json = TRUE;

  if (opt_print_args)
    for (guint i = 0; original[i] != NULL; i++)
      outf ("ARG[%u]=[%s]\n", i, original[i]);

  for (guint i = 0; opt_print_env != NULL && opt_print_env[i] != NULL; i++)
    {
      const char *value = g_getenv (opt_print_env[i]);

      outf ("ENV[%s]=[%s]\n", opt_print_env[i], value != NULL ? value : "(unset)");
    }

  if (opt_print_tty)
    {
      int tty = open ("/dev/tty", O_RDWR | O_NOCTTY);

      /* ctty: the PTY is our controlling terminal (job control, SIGWINCH). */
      outf ("TTY stdin=%d stdout=%d ctty=%d pgrp-leader=%d\n", isatty (STDIN_FILENO),
            isatty (STDOUT_FILENO), tty >= 0, getpgrp () == getpid ());
      if (tty >= 0)
        close (tty);
    }

  if (opt_winsize)
    print_size ();

  if (opt_echo_prompt)
    outf ("PROMPT[%s]\n", prompt != NULL ? prompt : "");

  if (opt_say_file != NULL)
    {
      g_autofree char *said = NULL;
      gsize len = 0;

      if (!g_file_get_contents (opt_say_file, &said, &len, NULL))
        return 3;
      out (said, len);
    }

  /* A scripted agent that can fix a project only when it is told what
   * failed: the Ralph loop must pass the failure on. */
  if (opt_fix_file != NULL)
    {
      if (opt_fix_needle == NULL || (prompt != NULL && strstr (prompt, opt_fix_needle) != NULL))
        {
          if (!g_file_set_contents (opt_fix_file, "fixed\n", -1, NULL))
            return 3;
          outs ("FIXED\n");
        }
      else
        outs ("NOT FIXED\n");
    }

  if (opt_record_prompt != NULL)
    {
      FILE *f = fopen (opt_record_prompt, "a");

      if (f == NULL)
        return 3;
      fprintf (f, "%s\n=== END ===\n", prompt != NULL ? prompt : "");
      fclose (f);
    }

  /* A scripted agent that does a phase's work: the items its prompt names
   * as the phase's, and no others, get ticked in the spec. */
  if (opt_tick_file != NULL)
    {
      const char *marker = prompt != NULL ? strstr (prompt, "Open items of this phase:") : NULL;
      g_autofree char *spec = NULL;
      guint ticked = 0;

      if (!g_file_get_contents (opt_tick_file, &spec, NULL, NULL))
        return 3;
      if (marker != NULL)
        {
          g_auto(GStrv) lines = g_strsplit (marker, "\n", -1);

          /* The list: after the marker's line and one blank line, up to
           * the next blank line. */
          for (guint i = 2; lines[0] != NULL && lines[1] != NULL && lines[i] != NULL &&
                            *lines[i] != '\0'; i++)
            {
              g_autofree char *open = NULL;
              char *at;

              if (!g_str_has_prefix (lines[i], "- [ ] "))
                continue;
              open = g_strdup_printf ("- [ ] %s\n", lines[i] + 6);
              at = strstr (spec, open);
              if (at != NULL)
                at[3] = 'x', ticked++;
            }
        }
      if (!g_file_set_contents (opt_tick_file, spec, -1, NULL))
        return 3;
      outf ("TICKED %u\n", ticked);
    }

  if (opt_text)
    outs ("\033[1mlean-test-agent\033[0m starting\n"
          "\033[32m✓\033[0m reading the spec\n"
          "\033[31merror:\033[0m nothing is wrong, this is a test\n"
          "tab\there, unicode: naïve café 日本語\n");

  if (opt_deep_json > 0)
    {
      GString *line = g_string_new ("{\"type\":\"assistant\",\"x\":");

      for (int i = 0; i < opt_deep_json; i++)
        g_string_append_c (line, '[');
      for (int i = 0; i < opt_deep_json; i++)
        g_string_append_c (line, ']');
      g_string_append (line, "}\n");
      fwrite (line->str, 1, line->len, stdout);
      fflush (stdout);
      g_string_free (line, TRUE);
    }

  if (opt_stream_json)
    print_stream_json (prompt);

  if (opt_read_stdin)
    {
      g_autoptr(GString) input = g_string_new (NULL);
      char buffer[4096];

      for (;;)
        {
          ssize_t n = read (STDIN_FILENO, buffer, sizeof buffer);

          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            break;
          g_string_append_len (input, buffer, n);
        }
      outf ("STDIN[%zu]:", input->len);
      out (input->str, input->len);
      outs ("\nSTDIN-END\n");
    }

  if (opt_ask != NULL)
    {
      char line[4096];

      outf ("%s ", opt_ask);
      if (fgets (line, sizeof line, stdin) == NULL)
        outs ("\nANSWER-EOF\n");
      else
        {
          line[strcspn (line, "\r\n")] = '\0';
          outf ("ANSWER[%s]\n", line);
        }
    }

  if (opt_lines > 0)
    {
      g_autoptr(GString) text = g_string_new (NULL);

      for (int i = 0; i < opt_lines; i++)
        g_string_append_printf (text, "line %06d \033[3%dm%s\033[0m é\n", i, i % 8,
                                "abcdefghijklmnopqrstuvwxyz0123456789" + (i % 30));
      out (text->str, text->len);
    }

  if (opt_flood_mb > 0)
    {
      gsize total = (gsize)(opt_flood_mb * 1024 * 1024);
      g_autoptr(GString) block = g_string_new (NULL);
      gsize written = 0;
      guint n = 0;

      while (written < total)
        {
          g_string_truncate (block, 0);
          while (block->len < 64 * 1024)
            g_string_append_printf (block, "flood %08u the quick brown fox jumps over the "
                                    "lazy dog 0123456789\n", n++);
          out (block->str, MIN (block->len, total - written));
          written += MIN (block->len, total - written);
        }
      outs ("\nFLOOD-END\n");
    }

  if (opt_sleep > 0)
    do_sleep (opt_sleep);
  else if (got_winch)
    print_size ();

  g_strfreev (original);
  return opt_exit;
}
