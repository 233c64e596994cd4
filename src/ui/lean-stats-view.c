/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "lean-spec-badges.h"
#include "lean-spec-row.h"
#include "lean-stats-view.h"
#include "lean-tokens.h"
#include "lean-view-refresh.h"

#define N_WEEKS      12
#define N_TOP_TAGS   10
#define N_LARGEST     8
#define N_FAILING    10

typedef struct
{
  char  *id;
  char  *title;
  guint  number;
  guint  value;
} Listed;

typedef struct
{
  char  *tag;
  guint  count;
} TagCount;

typedef struct
{
  guint   total;
  guint   by_status[LEAN_SPEC_N_STATUSES];
  guint   by_priority[LEAN_SPEC_N_PRIORITIES];
  guint   by_tokens[4];
  guint   by_lint[3];
  guint64 tokens;
  GArray *tags;               /* TagCount, most used first */
  GArray *largest;            /* Listed by tokens */
  GArray *failing;            /* Listed, value = LeanLintStatus */
  guint   created[N_WEEKS];
  guint   completed[N_WEEKS];
  char   *first_week;         /* "2025-01-06": the Monday of the oldest week */
  char   *last_week;
} Stats;

struct _LeanStatsView
{
  GtkWidget      parent_instance;

  LeanSpecStore *store;
  Stats         *stats;
  GCancellable  *cancellable;  /* while the figures are counted */
  LeanViewRefresh *refresh;

  GtkWidget     *scroller;
  GtkWidget     *content;
};

G_DEFINE_FINAL_TYPE (LeanStatsView, lean_stats_view, GTK_TYPE_WIDGET)

enum {
  OPEN_SPEC,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ------------------------------------------------------------------ */
/* Counting, on a worker thread                                        */

static void
listed_clear (gpointer data)
{
  Listed *listed = data;

  g_free (listed->id);
  g_free (listed->title);
}

static void
tag_count_clear (gpointer data)
{
  g_free (((TagCount *) data)->tag);
}

static void
stats_free (Stats *stats)
{
  if (stats == NULL)
    return;
  g_array_unref (stats->tags);
  g_array_unref (stats->largest);
  g_array_unref (stats->failing);
  g_free (stats->first_week);
  g_free (stats->last_week);
  g_free (stats);
}

/* The Julian day of the Monday of the week of an ISO date or timestamp
 * ("2025-03-14", "2025-03-14T10:00:00Z"); 0 when it is not one. */
static guint
week_of (const char *text)
{
  int y, m, d;
  GDate date;

  if (text == NULL || sscanf (text, "%4d-%2d-%2d", &y, &m, &d) != 3 ||
      !g_date_valid_dmy (d, m, y))
    return 0;
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, d, m, y);
  return g_date_get_julian (&date) - (g_date_get_weekday (&date) - G_DATE_MONDAY);
}

static const char *
completed_date (LeanSpec *spec)
{
  const char *status, *at;

  if (lean_spec_get_completed_at (spec) != NULL)
    return lean_spec_get_completed_at (spec);
  for (guint i = lean_spec_get_n_transitions (spec); i > 0; i--)
    if (lean_spec_get_transition (spec, i - 1, &status, &at) && g_strcmp0 (status, "complete") == 0)
      return at;
  return NULL;
}

static int
compare_listed (gconstpointer a,
                gconstpointer b)
{
  const Listed *la = a, *lb = b;

  if (la->value != lb->value)
    return la->value > lb->value ? -1 : 1;
  return (int) la->number - (int) lb->number;
}

static int
compare_tags (gconstpointer a,
              gconstpointer b)
{
  const TagCount *ta = a, *tb = b;

  if (ta->count != tb->count)
    return ta->count > tb->count ? -1 : 1;
  return g_strcmp0 (ta->tag, tb->tag);
}

static char *
format_julian (guint julian)
{
  GDate date;
  char text[16];

  g_date_clear (&date, 1);
  g_date_set_julian (&date, julian);
  g_date_strftime (text, sizeof text, "%Y-%m-%d", &date);
  return g_strdup (text);
}

static void
count_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GPtrArray *specs = task_data;
  Stats *stats = g_new0 (Stats, 1);
  g_autoptr(GHashTable) tags = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GArray) all = g_array_new (FALSE, TRUE, sizeof (Listed));
  g_autofree guint *created = g_new0 (guint, specs->len);
  g_autofree guint *completed = g_new0 (guint, specs->len);
  guint last = 0;
  GHashTableIter iter;
  gpointer key, value;

  stats->tags = g_array_new (FALSE, TRUE, sizeof (TagCount));
  g_array_set_clear_func (stats->tags, tag_count_clear);
  stats->largest = g_array_new (FALSE, TRUE, sizeof (Listed));
  g_array_set_clear_func (stats->largest, listed_clear);
  stats->failing = g_array_new (FALSE, TRUE, sizeof (Listed));
  g_array_set_clear_func (stats->failing, listed_clear);
  stats->total = specs->len;

  for (guint i = 0; i < specs->len; i++)
    {
      LeanSpec *spec = g_ptr_array_index (specs, i);
      const char * const *spec_tags = lean_spec_get_tags (spec);
      guint tokens = lean_spec_get_tokens (spec);
      LeanLintStatus lint = lean_spec_badges_lint (spec);
      Listed listed = { 0 };

      stats->by_status[MIN (lean_spec_get_status (spec), LEAN_SPEC_N_STATUSES - 1)]++;
      stats->by_priority[MIN (lean_spec_get_priority (spec), LEAN_SPEC_N_PRIORITIES - 1)]++;
      stats->by_tokens[MIN (lean_tokens_get_status (tokens), 3)]++;
      /* LeanSpec's web UI lists and checks the specs that are not archived
       * (leanspec-http leaves them out of /specs), and people compare its
       * figures with ours: an archived spec is out of the checks' counts. */
      if (lean_spec_get_status (spec) != LEAN_SPEC_STATUS_ARCHIVED)
        stats->by_lint[MIN (lint, 2)]++;
      stats->tokens += tokens;
      for (guint k = 0; spec_tags[k] != NULL; k++)
        g_hash_table_insert (tags, (gpointer) spec_tags[k],
                             GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (tags, spec_tags[k])) + 1));

      listed.number = lean_spec_get_number (spec);
      listed.value = tokens;
      listed.id = (char *) lean_spec_get_id (spec);
      listed.title = (char *) lean_spec_get_title (spec);
      g_array_append_val (all, listed);
      if (lint == LEAN_LINT_FAIL && lean_spec_get_status (spec) != LEAN_SPEC_STATUS_ARCHIVED &&
          stats->failing->len < N_FAILING)
        {
          Listed failing = { g_strdup (listed.id), g_strdup (listed.title), listed.number, lint };

          g_array_append_val (stats->failing, failing);
        }

      created[i] = week_of (lean_spec_get_created (spec));
      completed[i] = week_of (completed_date (spec));
      last = MAX (last, MAX (created[i], completed[i]));
    }

  /* The weeks end with the newest date in the project, so a project last
   * touched months ago still shows its history rather than empty weeks. */
  if (last >= 7 * (N_WEEKS - 1))
    {
      guint first = last - 7 * (N_WEEKS - 1);

      for (guint i = 0; i < specs->len; i++)
        {
          if (created[i] >= first)
            stats->created[(created[i] - first) / 7]++;
          if (completed[i] >= first)
            stats->completed[(completed[i] - first) / 7]++;
        }
      stats->first_week = format_julian (first);
      stats->last_week = format_julian (last);
    }

  g_hash_table_iter_init (&iter, tags);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      TagCount tag = { g_strdup (key), GPOINTER_TO_UINT (value) };

      g_array_append_val (stats->tags, tag);
    }
  g_array_sort (stats->tags, compare_tags);
  if (stats->tags->len > N_TOP_TAGS)
    g_array_set_size (stats->tags, N_TOP_TAGS);

  g_array_sort (all, compare_listed);
  for (guint i = 0; i < all->len && i < N_LARGEST; i++)
    {
      Listed *big = &g_array_index (all, Listed, i);
      Listed copy = { g_strdup (big->id), g_strdup (big->title), big->number, big->value };

      g_array_append_val (stats->largest, copy);
    }

  g_task_return_pointer (task, stats, (GDestroyNotify) stats_free);
}

/* ------------------------------------------------------------------ */
/* Showing                                                             */

static GtkWidget *
section (LeanStatsView *self,
         const char    *title)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  GtkWidget *heading = gtk_label_new (title);

  gtk_widget_add_css_class (heading, "heading");
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_box_append (GTK_BOX (box), heading);
  gtk_box_append (GTK_BOX (self->content), box);
  return box;
}

/* A labelled bar: name, a level bar of @value out of @max, the count. */
static void
add_bar (GtkGrid    *grid,
         int         row,
         const char *name,
         const char *css,
         guint       value,
         guint       max)
{
  GtkWidget *label = gtk_label_new (name);
  GtkWidget *bar = gtk_level_bar_new_for_interval (0, MAX (max, 1));
  g_autofree char *text = g_strdup_printf ("%u", value);
  GtkWidget *count = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_width_chars (GTK_LABEL (label), 12);
  gtk_level_bar_set_value (GTK_LEVEL_BAR (bar), value);
  /* One colour per bar, from the stylesheet, instead of the level bar's
   * low/high/full offsets. */
  gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (bar), GTK_LEVEL_BAR_OFFSET_LOW);
  gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (bar), GTK_LEVEL_BAR_OFFSET_HIGH);
  gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (bar), GTK_LEVEL_BAR_OFFSET_FULL);
  gtk_widget_add_css_class (bar, "stats-bar");
  if (css != NULL)
    gtk_widget_add_css_class (bar, css);
  gtk_widget_set_hexpand (bar, TRUE);
  gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (count, "numeric");
  gtk_label_set_xalign (GTK_LABEL (count), 1);
  gtk_label_set_width_chars (GTK_LABEL (count), 5);
  gtk_widget_set_name (count, name);
  gtk_grid_attach (grid, label, 0, row, 1, 1);
  gtk_grid_attach (grid, bar, 1, row, 1, 1);
  gtk_grid_attach (grid, count, 2, row, 1, 1);
}

static GtkGrid *
bar_grid (GtkWidget *section)
{
  GtkWidget *grid = gtk_grid_new ();

  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_box_append (GTK_BOX (section), grid);
  return GTK_GRID (grid);
}

static GtkWidget *
tile (const char *value,
      const char *caption)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *number = gtk_label_new (value);
  GtkWidget *label = gtk_label_new (caption);

  gtk_widget_add_css_class (box, "card");
  gtk_widget_add_css_class (box, "stats-tile");
  gtk_widget_add_css_class (number, "title-2");
  gtk_widget_add_css_class (number, "numeric");
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (label, "dim-label");
  /* Two tiles a line must fit a 360-pixel window: long captions wrap. */
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 24);
  gtk_box_append (GTK_BOX (box), number);
  gtk_box_append (GTK_BOX (box), label);
  return box;
}

static void
on_listed_clicked (GtkButton     *button,
                   LeanStatsView *self)
{
  g_signal_emit (self, signals[OPEN_SPEC], 0, gtk_widget_get_name (GTK_WIDGET (button)));
}

static void
add_listed (LeanStatsView *self,
            GtkWidget     *section,
            GArray        *listed,
            gboolean       tokens)
{
  GtkWidget *list = gtk_list_box_new ();

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  for (guint i = 0; i < listed->len; i++)
    {
      Listed *item = &g_array_index (listed, Listed, i);
      GtkWidget *button = gtk_button_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 10);
      g_autofree char *number = g_strdup_printf ("%03u", item->number);
      GtkWidget *num = gtk_label_new (number);
      GtkWidget *title = gtk_label_new (item->title);
      GtkWidget *value;

      gtk_widget_add_css_class (num, "dim-label");
      gtk_widget_add_css_class (num, "monospace");
      gtk_label_set_xalign (GTK_LABEL (title), 0);
      gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
      gtk_widget_set_hexpand (title, TRUE);
      gtk_box_append (GTK_BOX (box), num);
      gtk_box_append (GTK_BOX (box), title);
      if (tokens)
        {
          g_autofree char *count = lean_spec_badges_format_tokens (item->value);

          value = gtk_label_new (count);
          gtk_widget_add_css_class (value, "token-chip");
          gtk_widget_add_css_class (value, lean_spec_badges_token_class (item->value));
        }
      else
        {
          value = gtk_label_new (lean_spec_badges_lint_symbol (item->value));
          gtk_widget_add_css_class (value, "lint-mark");
          gtk_widget_add_css_class (value, lean_spec_badges_lint_class (item->value));
        }
      gtk_box_append (GTK_BOX (box), value);
      gtk_button_set_child (GTK_BUTTON (button), box);
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_name (button, item->id);
      gtk_widget_set_tooltip_text (button, item->title);
      g_signal_connect_object (button, "clicked", G_CALLBACK (on_listed_clicked), self, 0);
      gtk_list_box_append (GTK_LIST_BOX (list), button);
    }
  gtk_box_append (GTK_BOX (section), list);
}

static void
draw_weeks (GtkDrawingArea *area,
            cairo_t        *cr,
            int             width,
            int             height,
            gpointer        user_data)
{
  LeanStatsView *self = user_data;
  Stats *stats = self->stats;
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  guint max = 1;
  double slot, bar;
  GdkRGBA created, completed, fg;

  if (stats == NULL)
    return;
  for (guint w = 0; w < N_WEEKS; w++)
    max = MAX (max, MAX (stats->created[w], stats->completed[w]));
  gdk_rgba_parse (&created, "#3584e4");
  gdk_rgba_parse (&completed, dark ? "#57e389" : "#2ec27e");
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (area)), &fg);
  G_GNUC_END_IGNORE_DEPRECATIONS

  slot = width / (double) N_WEEKS;
  bar = MAX (2, slot * 0.35);
  for (guint w = 0; w < N_WEEKS; w++)
    {
      double x = w * slot + (slot - 2 * bar) / 2;
      double h1 = (height - 4) * stats->created[w] / (double) max;
      double h2 = (height - 4) * stats->completed[w] / (double) max;

      gdk_cairo_set_source_rgba (cr, &created);
      cairo_rectangle (cr, x, height - h1, bar, h1);
      cairo_fill (cr);
      gdk_cairo_set_source_rgba (cr, &completed);
      cairo_rectangle (cr, x + bar, height - h2, bar, h2);
      cairo_fill (cr);
    }
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.3);
  cairo_rectangle (cr, 0, height - 1, width, 1);
  cairo_fill (cr);
}

static void
show_stats (LeanStatsView *self)
{
  Stats *stats = self->stats;
  GtkWidget *child, *box, *tiles;
  GtkGrid *grid;
  guint max, open;
  g_autofree char *total = NULL;
  g_autofree char *rate = NULL;
  g_autofree char *tokens = NULL;
  g_autofree char *failing = NULL;

  while ((child = gtk_widget_get_first_child (self->content)) != NULL)
    gtk_box_remove (GTK_BOX (self->content), child);
  if (stats == NULL)
    return;

  open = stats->total - stats->by_status[LEAN_SPEC_STATUS_ARCHIVED];
  total = g_strdup_printf ("%u", stats->total);
  /* Archived specs are out of the rate: they were dropped, not done. */
  rate = g_strdup_printf ("%.0f%%", open > 0 ? 100.0 * stats->by_status[LEAN_SPEC_STATUS_COMPLETE] / open : 0);
  tokens = lean_spec_badges_format_tokens (stats->total > 0 ? stats->tokens / stats->total : 0);
  failing = g_strdup_printf ("%u", stats->by_lint[LEAN_LINT_FAIL]);
  tiles = gtk_flow_box_new ();
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (tiles), GTK_SELECTION_NONE);
  gtk_flow_box_set_homogeneous (GTK_FLOW_BOX (tiles), TRUE);
  gtk_flow_box_set_min_children_per_line (GTK_FLOW_BOX (tiles), 2);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (tiles), 4);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (tiles), 12);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (tiles), 12);
  gtk_flow_box_append (GTK_FLOW_BOX (tiles), tile (total, _("Specs")));
  gtk_flow_box_append (GTK_FLOW_BOX (tiles), tile (rate, _("Complete, of those not archived")));
  gtk_flow_box_append (GTK_FLOW_BOX (tiles), tile (tokens, _("Tokens per spec, mean")));
  gtk_flow_box_append (GTK_FLOW_BOX (tiles), tile (failing, _("Specs failing checks, not archived")));
  gtk_box_append (GTK_BOX (self->content), tiles);

  box = section (self, _("By Status"));
  grid = bar_grid (box);
  max = 0;
  for (guint s = 0; s < LEAN_SPEC_N_STATUSES; s++)
    max = MAX (max, stats->by_status[s]);
  for (guint s = LEAN_SPEC_STATUS_DRAFT, row = 0; s < LEAN_SPEC_N_STATUSES; s++)
    if (s != LEAN_SPEC_STATUS_DRAFT || stats->by_status[s] > 0)
      add_bar (grid, row++, lean_spec_status_get_label (s), lean_spec_row_status_css_class (s),
               stats->by_status[s], max);
  if (stats->by_status[LEAN_SPEC_STATUS_NONE] > 0)
    add_bar (grid, LEAN_SPEC_N_STATUSES, _("No Status"), "none",
             stats->by_status[LEAN_SPEC_STATUS_NONE], max);

  box = section (self, _("By Priority"));
  grid = bar_grid (box);
  max = 0;
  for (guint p = 0; p < LEAN_SPEC_N_PRIORITIES; p++)
    max = MAX (max, stats->by_priority[p]);
  for (guint p = LEAN_SPEC_N_PRIORITIES - 1, row = 0; p >= LEAN_SPEC_PRIORITY_LOW; p--)
    add_bar (grid, row++, lean_spec_priority_get_label (p), NULL, stats->by_priority[p], max);
  add_bar (grid, LEAN_SPEC_N_PRIORITIES, _("No Priority"), NULL,
           stats->by_priority[LEAN_SPEC_PRIORITY_NONE], max);

  if (stats->tags->len > 0)
    {
      box = section (self, _("Most Used Tags"));
      grid = bar_grid (box);
      max = g_array_index (stats->tags, TagCount, 0).count;
      for (guint i = 0; i < stats->tags->len; i++)
        {
          TagCount *tag = &g_array_index (stats->tags, TagCount, i);
          g_autofree char *name = g_strdup_printf ("#%s", tag->tag);

          add_bar (grid, i, name, NULL, tag->count, max);
        }
    }

  if (stats->first_week != NULL)
    {
      GtkWidget *area = gtk_drawing_area_new ();
      GtkWidget *legend = gtk_label_new (NULL);
      g_autofree char *text = NULL;

      box = section (self, _("Created and Completed per Week"));
      gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (area), 120);
      gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (area), draw_weeks, self, NULL);
      gtk_box_append (GTK_BOX (box), area);
      /* Translators: under the weekly chart; the dates are the first and
       * last week shown. */
      text = g_markup_printf_escaped (_("<span foreground=\"#3584e4\">■</span> created   "
                                        "<span foreground=\"#2ec27e\">■</span> completed   "
                                        "weeks of %s to %s"),
                                      stats->first_week, stats->last_week);
      gtk_label_set_markup (GTK_LABEL (legend), text);
      gtk_label_set_xalign (GTK_LABEL (legend), 0);
      gtk_label_set_wrap (GTK_LABEL (legend), TRUE);
      gtk_widget_add_css_class (legend, "caption");
      gtk_box_append (GTK_BOX (box), legend);
    }

  box = section (self, _("Tokens"));
  grid = bar_grid (box);
  max = 0;
  for (guint t = 0; t < 4; t++)
    max = MAX (max, stats->by_tokens[t]);
  add_bar (grid, 0, _("Optimal, up to 2k"), "optimal", stats->by_tokens[0], max);
  add_bar (grid, 1, _("Good, up to 3.5k"), "good", stats->by_tokens[1], max);
  add_bar (grid, 2, _("Warning, up to 5k"), "warning", stats->by_tokens[2], max);
  add_bar (grid, 3, _("Excessive, over 5k"), "excessive", stats->by_tokens[3], max);
  if (stats->largest->len > 0)
    add_listed (self, box, stats->largest, TRUE);

  box = section (self, _("Checks"));
  grid = bar_grid (box);
  max = MAX (stats->by_lint[0], MAX (stats->by_lint[1], stats->by_lint[2]));
  add_bar (grid, 0, _("Pass"), "pass", stats->by_lint[LEAN_LINT_PASS], max);
  add_bar (grid, 1, _("Warn"), "warn", stats->by_lint[LEAN_LINT_WARN], max);
  add_bar (grid, 2, _("Fail"), "fail", stats->by_lint[LEAN_LINT_FAIL], max);
  if (stats->by_status[LEAN_SPEC_STATUS_ARCHIVED] > 0)
    {
      GtkWidget *note = gtk_label_new (_("Archived specs are not counted, as in LeanSpec."));

      gtk_label_set_xalign (GTK_LABEL (note), 0);
      gtk_label_set_wrap (GTK_LABEL (note), TRUE);
      gtk_widget_add_css_class (note, "caption");
      gtk_widget_add_css_class (note, "dim-label");
      gtk_box_append (GTK_BOX (box), note);
    }
  if (stats->failing->len > 0)
    add_listed (self, box, stats->failing, FALSE);
}

static void
count_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  Stats *stats = g_task_propagate_pointer (G_TASK (result), &error);
  LeanStatsView *self;

  if (stats == NULL)
    return;
  self = LEAN_STATS_VIEW (object);
  g_clear_object (&self->cancellable);
  stats_free (self->stats);
  self->stats = stats;
  show_stats (self);
}

static void
recount (LeanStatsView *self)
{
  g_autoptr(GTask) task = NULL;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->store == NULL)
    return;
  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, count_cb, NULL);
  g_task_set_source_tag (task, recount);
  g_task_set_check_cancellable (task, TRUE);
  g_task_set_task_data (task, lean_spec_store_dup_specs (self->store),
                        (GDestroyNotify) g_ptr_array_unref);
  g_task_run_in_thread (task, count_thread);
}

static void
lean_stats_view_map (GtkWidget *widget)
{
  LeanStatsView *self = LEAN_STATS_VIEW (widget);

  GTK_WIDGET_CLASS (lean_stats_view_parent_class)->map (widget);
  lean_view_refresh_mapped (self->refresh);
}

/* ------------------------------------------------------------------ */
/* API                                                                 */

GtkWidget *
lean_stats_view_new (void)
{
  return g_object_new (LEAN_TYPE_STATS_VIEW, NULL);
}

void
lean_stats_view_set_store (LeanStatsView *self,
                           LeanSpecStore *store)
{
  g_return_if_fail (LEAN_IS_STATS_VIEW (self));

  if (self->store == store)
    return;
  g_set_object (&self->store, store);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->stats, stats_free);
  show_stats (self);
  lean_view_refresh_set_store (self->refresh, store);
}

gboolean
_lean_stats_view_is_ready (LeanStatsView *self)
{
  return self->stats != NULL && self->cancellable == NULL && !lean_view_refresh_pending (self->refresh);
}

guint
_lean_stats_view_get_status_count (LeanStatsView  *self,
                                   LeanSpecStatus  status)
{
  return self->stats != NULL && status < LEAN_SPEC_N_STATUSES ? self->stats->by_status[status] : 0;
}

guint
_lean_stats_view_get_n_failing (LeanStatsView *self)
{
  return self->stats != NULL ? self->stats->by_lint[LEAN_LINT_FAIL] : 0;
}

guint
_lean_stats_view_get_lint_count (LeanStatsView  *self,
                                 LeanLintStatus  status)
{
  return self->stats != NULL && status <= LEAN_LINT_FAIL ? self->stats->by_lint[status] : 0;
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */

static void
lean_stats_view_dispose (GObject *object)
{
  LeanStatsView *self = LEAN_STATS_VIEW (object);

  g_clear_pointer (&self->refresh, lean_view_refresh_free);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_pointer (&self->scroller, gtk_widget_unparent);
  g_clear_pointer (&self->stats, stats_free);

  G_OBJECT_CLASS (lean_stats_view_parent_class)->dispose (object);
}

static void
lean_stats_view_class_init (LeanStatsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lean_stats_view_dispose;
  widget_class->map = lean_stats_view_map;

  signals[OPEN_SPEC] =
    g_signal_new ("open-spec", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "stats");
}

static void
lean_stats_view_init (LeanStatsView *self)
{
  GtkWidget *clamp = adw_clamp_new ();

  self->refresh = lean_view_refresh_new (GTK_WIDGET (self), (LeanViewRefreshFunc) recount);
  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  self->content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  gtk_widget_add_css_class (self->content, "stats-content");
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 820);
  adw_clamp_set_child (ADW_CLAMP (clamp), self->content);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), clamp);
  gtk_widget_set_parent (self->scroller, GTK_WIDGET (self));
}
