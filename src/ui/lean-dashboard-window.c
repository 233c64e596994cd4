/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include "lean-dashboard-chart.h"
#include "lean-dashboard-window.h"
#include "lean-metrics.h"

struct _LeanDashboardWindow
{
  AdwWindow       parent_instance;

  char           *db_path;
  LeanSpecStore  *store;
  GCancellable   *cancellable;
  gboolean        loading;
  guint           generation;

  GtkDropDown    *project_dropdown;
  GtkDropDown    *range_dropdown;
  GtkLabel       *summary;
  GtkLabel       *reasons;
  GHashTable     *parts;     /* name -> widget (not owned) */
};

G_DEFINE_FINAL_TYPE (LeanDashboardWindow, lean_dashboard_window, ADW_TYPE_WINDOW)

enum { SIGNAL_LOADED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* Results keep their colours in light and dark: completed green, failed
 * red, cancelled orange, interrupted grey. */
static const char * const result_colors[] = { "#2ec27e", "#e01b24", "#ff7800", "#9a9996", NULL };

static char *
format_duration (gint64 usec)
{
  gint64 s = usec / G_USEC_PER_SEC;

  if (usec < 0)
    return g_strdup ("–");
  if (s < 60)
    return g_strdup_printf (_("%d s"), (int) s);
  if (s < 3600)
    return g_strdup_printf (_("%d min %d s"), (int) (s / 60), (int) (s % 60));
  return g_strdup_printf (_("%d h %d min"), (int) (s / 3600), (int) ((s / 60) % 60));
}

static LeanDashboardChart *
chart (LeanDashboardWindow *self,
       const char          *name)
{
  return LEAN_DASHBOARD_CHART (g_hash_table_lookup (self->parts, name));
}

static void
show_metrics (LeanDashboardWindow *self,
              LeanMetrics         *m)
{
  guint n = m->days->len;
  g_autofree const char **labels = g_new0 (const char *, MAX (n, 1) + 1);
  g_autofree double *results = g_new0 (double, MAX (n, 1) * 4);
  g_autofree double *tokens = g_new0 (double, MAX (n, 1));
  g_autofree double *cost = g_new0 (double, MAX (n, 1));
  g_autofree double *specs = g_new0 (double, MAX (n, 1));
  g_autofree char *median = format_duration (m->median_duration_usec);
  g_autofree char *summary = NULL;
  g_autofree char *tok = lean_dashboard_format_value (LEAN_DASHBOARD_UNIT_TOKENS, m->tokens);
  const char *result_names[] = { _("Completed"), _("Failed"), _("Cancelled"), _("Interrupted"), NULL };
  GString *reasons = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    {
      LeanMetricsDay *d = &g_array_index (m->days, LeanMetricsDay, i);

      /* "MM-DD": the year is in the range. */
      labels[i] = strlen (d->day) == 10 ? d->day + 5 : d->day;
      results[i * 4 + 0] = d->completed;
      results[i * 4 + 1] = d->failed;
      results[i * 4 + 2] = d->cancelled;
      results[i * 4 + 3] = d->interrupted;
      tokens[i] = d->tokens;
      cost[i] = d->cost_usd;
      specs[i] = d->specs_completed;
    }
  lean_dashboard_chart_set_data (chart (self, "sessions"), labels, n, results, 4, result_names,
                                 result_colors);
  lean_dashboard_chart_set_data (chart (self, "tokens"), labels, n, tokens, 1, NULL, NULL);
  lean_dashboard_chart_set_data (chart (self, "cost"), labels, n, cost, 1, NULL, NULL);
  lean_dashboard_chart_set_data (chart (self, "specs"), labels, n, specs, 1, NULL, NULL);

  {
    guint na = m->agents->len;
    g_autofree const char **names = g_new0 (const char *, na + 1);
    g_autofree double *values = g_new0 (double, MAX (na, 1) * 2);
    g_autofree double *agent_cost = g_new0 (double, MAX (na, 1));

    for (guint i = 0; i < na; i++)
      {
        LeanMetricsAgent *a = &g_array_index (m->agents, LeanMetricsAgent, i);

        names[i] = a->agent_id;
        values[i] = a->tokens;
        agent_cost[i] = a->cost_usd;
      }
    lean_dashboard_chart_set_data (chart (self, "agents"), names, na, values, 1, NULL, NULL);
    lean_dashboard_chart_set_data (chart (self, "agent-cost"), names, na, agent_cost, 1, NULL, NULL);
  }
  {
    guint ni = m->iterations->len;
    g_autofree char **names = g_new0 (char *, ni + 1);
    g_autofree double *values = g_new0 (double, MAX (ni, 1));

    for (guint i = 0; i < ni; i++)
      {
        LeanMetricsIterations *it = &g_array_index (m->iterations, LeanMetricsIterations, i);

        names[i] = g_strdup_printf ("%u", it->iterations);
        values[i] = it->chains;
      }
    lean_dashboard_chart_set_data (chart (self, "iterations"), (const char * const *) names, ni,
                                   values, 1, NULL, NULL);
    for (guint i = 0; i < ni; i++)
      g_free (names[i]);
  }
  {
    const char *names[] = { _("Passed"), _("Failed"), NULL };
    const char *colors[] = { result_colors[0], result_colors[1] };
    /* Two bars, each its own series (and colour). */
    double stacked[] = { m->chains_passed, 0, 0, m->chains_failed };

    lean_dashboard_chart_set_data (chart (self, "chains"), names, 2, stacked, 2, names, colors);
  }

  summary = g_strdup_printf (_("%u sessions · %s tokens · $%.2f · median %s · chains %u passed, "
                               "%u failed · %u specs completed"),
                             m->sessions, tok, m->cost_usd, median, m->chains_passed,
                             m->chains_failed, m->specs_completed);
  gtk_label_set_text (self->summary, summary);

  for (guint i = 0; i < m->reasons->len; i++)
    {
      LeanMetricsReason *r = &g_array_index (m->reasons, LeanMetricsReason, i);

      g_string_append_printf (reasons, "%s%4u  %s", i > 0 ? "\n" : "", r->count, r->reason);
    }
  gtk_label_set_text (self->reasons, reasons->len > 0 ? reasons->str : _("No failures in this range."));
  g_string_free (reasons, TRUE);
}

typedef struct
{
  LeanDashboardWindow *self;
  guint                generation;
} Call;

static void
on_computed (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Call *call = user_data;
  g_autoptr(LeanDashboardWindow) self = call->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanMetrics) m = lean_metrics_compute_finish (result, &error);
  guint generation = call->generation;

  g_free (call);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || generation != self->generation)
    return;
  self->loading = FALSE;
  if (m == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The figures could not be read: %s"),
                                               error->message);
      gtk_label_set_text (self->summary, text);
    }
  else
    show_metrics (self, m);
  g_signal_emit (self, signals[SIGNAL_LOADED], 0);
}

void
lean_dashboard_window_refresh (LeanDashboardWindow *self)
{
  g_autoptr(GPtrArray) specs = NULL;
  g_autoptr(GArray) completions = NULL;
  const char *project = NULL;
  gint64 since = 0;
  Call *call;

  g_return_if_fail (LEAN_IS_DASHBOARD_WINDOW (self));

  switch (gtk_drop_down_get_selected (self->range_dropdown))
    {
    case LEAN_DASHBOARD_RANGE_7_DAYS:
      since = g_get_real_time () - (gint64) 6 * 86400 * G_USEC_PER_SEC;
      break;
    case LEAN_DASHBOARD_RANGE_30_DAYS:
      since = g_get_real_time () - (gint64) 29 * 86400 * G_USEC_PER_SEC;
      break;
    default:
      break;
    }
  /* From the start of that day (UTC), so the first bar is a whole day. */
  if (since > 0)
    since -= since % ((gint64) 86400 * G_USEC_PER_SEC);
  /* One project: its specs as the store has them. Every project: the
   * worker reads each project folder that has sessions. */
  if (self->store != NULL && gtk_drop_down_get_selected (self->project_dropdown) == 1)
    {
      specs = lean_spec_store_dup_specs (self->store);
      completions = lean_metrics_collect_completions (specs);
      project = lean_project_get_root (lean_spec_store_get_project (self->store));
    }

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->loading = TRUE;
  call = g_new0 (Call, 1);
  call->self = g_object_ref (self);
  call->generation = ++self->generation;
  lean_metrics_compute_async (self->db_path, project, since, completions, self->cancellable,
                              on_computed, call);
}

void
lean_dashboard_window_set_range (LeanDashboardWindow *self,
                                 LeanDashboardRange   range)
{
  g_return_if_fail (LEAN_IS_DASHBOARD_WINDOW (self));
  gtk_drop_down_set_selected (self->range_dropdown, range);
}

void
lean_dashboard_window_set_project_only (LeanDashboardWindow *self,
                                        gboolean             project_only)
{
  g_return_if_fail (LEAN_IS_DASHBOARD_WINDOW (self));
  if (self->store != NULL)
    gtk_drop_down_set_selected (self->project_dropdown, project_only ? 1 : 0);
}

GtkWidget *
lean_dashboard_window_get_part (LeanDashboardWindow *self,
                                const char          *name)
{
  g_return_val_if_fail (LEAN_IS_DASHBOARD_WINDOW (self), NULL);
  return g_hash_table_lookup (self->parts, name);
}

char *
lean_dashboard_window_dup_summary (LeanDashboardWindow *self)
{
  g_return_val_if_fail (LEAN_IS_DASHBOARD_WINDOW (self), NULL);
  return g_strdup (gtk_label_get_text (self->summary));
}

gboolean
lean_dashboard_window_get_loading (LeanDashboardWindow *self)
{
  g_return_val_if_fail (LEAN_IS_DASHBOARD_WINDOW (self), FALSE);
  return self->loading;
}

static void
lean_dashboard_window_dispose (GObject *object)
{
  LeanDashboardWindow *self = LEAN_DASHBOARD_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_pointer (&self->parts, g_hash_table_unref);
  G_OBJECT_CLASS (lean_dashboard_window_parent_class)->dispose (object);
}

static void
lean_dashboard_window_finalize (GObject *object)
{
  LeanDashboardWindow *self = LEAN_DASHBOARD_WINDOW (object);

  g_free (self->db_path);
  G_OBJECT_CLASS (lean_dashboard_window_parent_class)->finalize (object);
}

static void
lean_dashboard_window_class_init (LeanDashboardWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lean_dashboard_window_dispose;
  object_class->finalize = lean_dashboard_window_finalize;
  signals[SIGNAL_LOADED] = g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
add_chart (LeanDashboardWindow    *self,
           GtkGrid                *grid,
           const char             *name,
           const char             *title,
           LeanDashboardChartKind  kind,
           LeanDashboardUnit       unit,
           int                     column,
           int                     row,
           int                     width)
{
  GtkWidget *c = lean_dashboard_chart_new (title, kind, unit);

  gtk_widget_set_hexpand (c, TRUE);
  gtk_widget_set_size_request (c, -1, 200);
  gtk_widget_add_css_class (c, "card");
  gtk_grid_attach (grid, c, column, row, width, 1);
  g_hash_table_insert (self->parts, (gpointer) name, c);
}

static void
lean_dashboard_window_init (LeanDashboardWindow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *reasons_title = gtk_label_new (_("Commonest Failure Reasons"));
  const char *ranges[] = { _("Last 7 Days"), _("Last 30 Days"), _("All Time"), NULL };
  const char *projects[] = { _("All Projects"), NULL };

  self->parts = g_hash_table_new (g_str_hash, g_str_equal);
  self->cancellable = g_cancellable_new ();
  gtk_window_set_title (GTK_WINDOW (self), _("Dashboard"));
  gtk_window_set_default_size (GTK_WINDOW (self), 1100, 820);

  self->project_dropdown = GTK_DROP_DOWN (gtk_drop_down_new_from_strings (projects));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->project_dropdown), _("Which project's sessions"));
  self->range_dropdown = GTK_DROP_DOWN (gtk_drop_down_new_from_strings (ranges));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->range_dropdown), _("Time range"));
  gtk_drop_down_set_selected (self->range_dropdown, LEAN_DASHBOARD_RANGE_30_DAYS);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), GTK_WIDGET (self->project_dropdown));
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), GTK_WIDGET (self->range_dropdown));
  g_hash_table_insert (self->parts, (gpointer) "project", self->project_dropdown);
  g_hash_table_insert (self->parts, (gpointer) "range", self->range_dropdown);
  gtk_box_append (GTK_BOX (box), header);

  gtk_widget_set_margin_start (content, 18);
  gtk_widget_set_margin_end (content, 18);
  gtk_widget_set_margin_top (content, 12);
  gtk_widget_set_margin_bottom (content, 18);
  self->summary = GTK_LABEL (gtk_label_new (_("Loading…")));
  gtk_label_set_xalign (self->summary, 0);
  gtk_label_set_wrap (self->summary, TRUE);
  gtk_label_set_selectable (self->summary, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->summary), "title-4");
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->summary));

  gtk_grid_set_row_spacing (GTK_GRID (grid), 12);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  gtk_grid_set_column_homogeneous (GTK_GRID (grid), TRUE);
  add_chart (self, GTK_GRID (grid), "sessions", _("Sessions per Day"), LEAN_DASHBOARD_CHART_BARS,
             LEAN_DASHBOARD_UNIT_COUNT, 0, 0, 2);
  add_chart (self, GTK_GRID (grid), "tokens", _("Tokens per Day"), LEAN_DASHBOARD_CHART_LINE,
             LEAN_DASHBOARD_UNIT_TOKENS, 0, 1, 1);
  add_chart (self, GTK_GRID (grid), "cost", _("Cost per Day"), LEAN_DASHBOARD_CHART_BARS,
             LEAN_DASHBOARD_UNIT_USD, 1, 1, 1);
  add_chart (self, GTK_GRID (grid), "agents", _("Tokens per Agent"), LEAN_DASHBOARD_CHART_BARS,
             LEAN_DASHBOARD_UNIT_TOKENS, 0, 2, 1);
  add_chart (self, GTK_GRID (grid), "agent-cost", _("Cost per Agent"), LEAN_DASHBOARD_CHART_BARS,
             LEAN_DASHBOARD_UNIT_USD, 1, 2, 1);
  add_chart (self, GTK_GRID (grid), "chains", _("Chains"), LEAN_DASHBOARD_CHART_BARS,
             LEAN_DASHBOARD_UNIT_COUNT, 0, 3, 1);
  add_chart (self, GTK_GRID (grid), "iterations", _("Iterations to Pass"),
             LEAN_DASHBOARD_CHART_BARS, LEAN_DASHBOARD_UNIT_COUNT, 1, 3, 1);
  add_chart (self, GTK_GRID (grid), "specs", _("Specs Completed"), LEAN_DASHBOARD_CHART_BARS,
             LEAN_DASHBOARD_UNIT_COUNT, 0, 4, 2);
  gtk_box_append (GTK_BOX (content), grid);

  gtk_label_set_xalign (GTK_LABEL (reasons_title), 0);
  gtk_widget_add_css_class (reasons_title, "heading");
  gtk_box_append (GTK_BOX (content), reasons_title);
  self->reasons = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->reasons, 0);
  gtk_label_set_wrap (self->reasons, TRUE);
  gtk_label_set_selectable (self->reasons, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->reasons), "monospace");
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->reasons));
  g_hash_table_insert (self->parts, (gpointer) "reasons", self->reasons);

  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), content);
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_box_append (GTK_BOX (box), scroller);
  adw_window_set_content (ADW_WINDOW (self), box);
}

LeanDashboardWindow *
lean_dashboard_window_new (GtkWindow     *parent,
                           const char    *db_path,
                           LeanSpecStore *store)
{
  LeanDashboardWindow *self = g_object_new (LEAN_TYPE_DASHBOARD_WINDOW, NULL);

  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (self), parent);
  self->db_path = g_strdup (db_path);
  if (store != NULL)
    {
      LeanProject *project = lean_spec_store_get_project (store);
      const char *names[] = { _("All Projects"), lean_project_get_name (project), NULL };
      g_autoptr(GtkStringList) list = gtk_string_list_new (names);

      self->store = g_object_ref (store);
      gtk_drop_down_set_model (self->project_dropdown, G_LIST_MODEL (list));
      gtk_drop_down_set_selected (self->project_dropdown, 1);
    }
  g_signal_connect_object (self->project_dropdown, "notify::selected",
                           G_CALLBACK (lean_dashboard_window_refresh), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->range_dropdown, "notify::selected",
                           G_CALLBACK (lean_dashboard_window_refresh), self, G_CONNECT_SWAPPED);
  lean_dashboard_window_refresh (self);
  return self;
}
