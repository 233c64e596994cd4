/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include "lean-spec-list-private.h"
#include "lean-spec-row.h"
#include "lean-wrap-layout.h"

/* The statuses that get a filter button, in board order. NONE is shown only
 * when some spec has no readable status. */
static const LeanSpecStatus filter_statuses[] = {
  LEAN_SPEC_STATUS_DRAFT,
  LEAN_SPEC_STATUS_PLANNED,
  LEAN_SPEC_STATUS_IN_PROGRESS,
  LEAN_SPEC_STATUS_COMPLETE,
  LEAN_SPEC_STATUS_ARCHIVED,
  LEAN_SPEC_STATUS_NONE,
};

struct _LeanSpecList
{
  GtkWidget           parent_instance;

  LeanSpecStore      *store;
  GtkFilterListModel *filter_model;
  GtkSortListModel   *sort_model;
  GtkSingleSelection *selection;
  GtkCustomFilter    *filter;
  GtkCustomSorter    *sorter;

  /* Filter state. */
  guint               status_mask;     /* 1 << status; 0 shows all */
  char               *priority_filter; /* "" or a priority name */
  char               *tag_filter;      /* "" or a tag */
  char              **search_words;    /* casefolded; NULL for none */
  char               *search_text;     /* casefolded and stripped, for ranking */
  GHashTable         *ranks;           /* LeanSpec -> search rank + 1, per search */
  char               *sort_by;
  gboolean            descending;
  gboolean            resorting;       /* the selection is kept across a re-sort */

  /* The spec people chose last: re-selected when a reload replaces its
   * object or a filter hides and shows it again. */
  char               *wanted_id;
  LeanSpec           *selected_spec;

  guint               counts[LEAN_SPEC_N_STATUSES];
  GtkToggleButton    *status_buttons[LEAN_SPEC_N_STATUSES];
  GtkLabel           *count_labels[LEAN_SPEC_N_STATUSES];
  char              **tags;            /* every tag in the project, sorted */

  guint               recount_id;
  guint               reselect_id;
  double              keep_offset;     /* selected row's offset in the view to restore, or -1 */
  gulong              scroll_id;
  GdkFrameClock      *scroll_clock;
  GCancellable       *warm_cancellable;

  GtkSearchEntry     *search_entry;
  GtkMenuButton      *filter_button;
  GtkRevealer        *filter_revealer;
  GtkLabel           *filter_label;
  GtkBox             *status_box;
  GtkStack           *list_stack;
  GtkSpinner         *loading_spinner;
  GtkLabel           *loading_label;
  GtkLabel           *count_label;
  gboolean            store_loaded;    /* the store's first load is done */
  GtkScrolledWindow  *scrolled_window;
  GtkListView        *list_view;
  GMenu              *tag_menu;
};

G_DEFINE_FINAL_TYPE (LeanSpecList, lean_spec_list, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SELECTED_SPEC,
  PROP_SORT_BY,
  PROP_SORT_DIRECTION,
  PROP_PRIORITY_FILTER,
  PROP_TAG_FILTER,
  N_PROPS
};

enum {
  SPEC_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static GQuark haystack_quark;

/* ------------------------------------------------------------------ */
/* Filtering and sorting                                               */

/* The text a search looks in, casefolded once per snapshot. A LeanSpec is
 * immutable and a changed file gives a new object, so caching on the object
 * can never go stale. */
static char *
build_haystack (LeanSpec *spec)
{
  g_autoptr(GString) text = NULL;
  const char * const *tags;
  const char *body;
  gboolean ascii = TRUE;

  text = g_string_new (NULL);
  g_string_append_printf (text, "%03u %u\n%s\n%s\n",
                          lean_spec_get_number (spec),
                          lean_spec_get_number (spec),
                          lean_spec_get_id (spec),
                          lean_spec_get_title (spec));
  tags = lean_spec_get_tags (spec);
  for (guint i = 0; tags != NULL && tags[i] != NULL; i++)
    g_string_append_printf (text, "#%s\n", tags[i]);
  body = lean_spec_get_body (spec);
  if (body != NULL)
    g_string_append (text, body);

  for (gsize i = 0; i < text->len && ascii; i++)
    ascii = ((guchar) text->str[i]) < 0x80;

  /* Most specs are plain ASCII: lower-casing them is far cheaper than
   * full Unicode case folding and gives the same result. */
  if (ascii)
    return g_ascii_strdown (text->str, text->len);
  return g_utf8_casefold (text->str, text->len);
}

static const char *
spec_get_haystack (LeanSpec *spec)
{
  const char *cached = g_object_get_qdata (G_OBJECT (spec), haystack_quark);
  char *built;

  if (cached != NULL)
    return cached;

  /* The warm-up thread may race us to it: a value, once set, is never
   * replaced, so whichever is stored first is the one everybody uses. */
  built = build_haystack (spec);
  if (!g_object_replace_qdata (G_OBJECT (spec), haystack_quark, NULL, built, g_free, NULL))
    {
      g_free (built);
      return g_object_get_qdata (G_OBJECT (spec), haystack_quark);
    }
  return built;
}

static void
warm_haystacks_thread (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  GPtrArray *specs = task_data;

  for (guint i = 0; i < specs->len; i++)
    {
      if (i % 64 == 0 && g_cancellable_is_cancelled (cancellable))
        break;
      spec_get_haystack (g_ptr_array_index (specs, i));
    }
  g_task_return_boolean (task, TRUE);
}

static gboolean
spec_has_tag (LeanSpec   *spec,
              const char *tag)
{
  const char * const *tags = lean_spec_get_tags (spec);

  for (guint i = 0; tags != NULL && tags[i] != NULL; i++)
    if (g_strcmp0 (tags[i], tag) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  LeanSpecList *self = user_data;
  LeanSpec *spec = item;

  if (self->status_mask != 0 &&
      (self->status_mask & (1u << lean_spec_get_status (spec))) == 0)
    return FALSE;

  if (self->priority_filter != NULL && self->priority_filter[0] != '\0')
    {
      LeanSpecPriority wanted;

      if (lean_spec_priority_from_string (self->priority_filter, &wanted) &&
          lean_spec_get_priority (spec) != wanted)
        return FALSE;
    }

  if (self->tag_filter != NULL && self->tag_filter[0] != '\0' &&
      !spec_has_tag (spec, self->tag_filter))
    return FALSE;

  if (self->search_words != NULL)
    {
      const char *haystack = spec_get_haystack (spec);

      /* Every word must occur somewhere: "api high" narrows, never widens. */
      for (guint i = 0; self->search_words[i] != NULL; i++)
        if (strstr (haystack, self->search_words[i]) == NULL)
          return FALSE;
    }

  return TRUE;
}

static const char *
spec_get_updated (LeanSpec *spec)
{
  const char *updated = lean_spec_get_updated_at (spec);

  if (updated == NULL || updated[0] == '\0')
    updated = lean_spec_get_created (spec);
  return updated != NULL ? updated : "";
}

static int
compare_number (LeanSpec *a,
                LeanSpec *b)
{
  guint na = lean_spec_get_number (a);
  guint nb = lean_spec_get_number (b);

  if (na != nb)
    return na < nb ? -1 : 1;
  return g_strcmp0 (lean_spec_get_id (a), lean_spec_get_id (b));
}

/* How well @spec matches the search, best first: 0 its number is the
 * search ("193", "0193"), 1 every word is in its number, id or title, 2 in
 * those or its tags, 3 anywhere (the body). */
static guint
compute_rank (LeanSpecList *self,
              LeanSpec     *spec)
{
  const char *haystack = spec_get_haystack (spec);
  const char * const *tags = lean_spec_get_tags (spec);
  const char *end = haystack;
  guint64 number;
  char *rest = NULL;
  guint rank = 1;

  number = g_ascii_strtoull (self->search_text, &rest, 10);
  if (rest != self->search_text && *rest == '\0' && number == lean_spec_get_number (spec))
    return 0;

  /* The haystack is "number\nid\ntitle\n", a line per tag, then the body
   * (build_haystack). Ranks widen the text the words must be in. */
  for (guint line = 0; line < 3 && end != NULL; line++)
    end = strchr (end, '\n') != NULL ? strchr (end, '\n') + 1 : NULL;
  for (guint i = 0; ; i++)
    {
      g_autofree char *part = g_strndup (haystack, end != NULL ? (gsize) (end - haystack) : strlen (haystack));
      gboolean all = TRUE;

      for (guint w = 0; self->search_words[w] != NULL && all; w++)
        all = strstr (part, self->search_words[w]) != NULL;
      if (all || end == NULL)
        return rank;

      rank++;
      if (i == 0)
        for (guint t = 0; tags != NULL && tags[t] != NULL && end != NULL; t++)
          end = strchr (end, '\n') != NULL ? strchr (end, '\n') + 1 : NULL;
      else
        end = NULL;
    }
}

static guint
spec_rank (LeanSpecList *self,
           LeanSpec     *spec)
{
  gpointer cached = g_hash_table_lookup (self->ranks, spec);
  guint rank;

  if (cached != NULL)
    return GPOINTER_TO_UINT (cached) - 1;
  rank = compute_rank (self, spec);
  g_hash_table_insert (self->ranks, spec, GUINT_TO_POINTER (rank + 1));
  return rank;
}

static int
sort_func (gconstpointer a,
           gconstpointer b,
           gpointer      user_data)
{
  LeanSpecList *self = user_data;
  LeanSpec *sa = (LeanSpec *) a;
  LeanSpec *sb = (LeanSpec *) b;
  int cmp = 0;

  /* While searching, the best matches come first whatever the order. */
  if (self->search_words != NULL)
    {
      guint ra = spec_rank (self, sa);
      guint rb = spec_rank (self, sb);

      if (ra != rb)
        return ra < rb ? -1 : 1;
    }

  if (g_strcmp0 (self->sort_by, "priority") == 0)
    {
      LeanSpecPriority pa = lean_spec_get_priority (sa);
      LeanSpecPriority pb = lean_spec_get_priority (sb);

      /* Ascending is least urgent first: the enum grows with urgency. */
      if (pa != pb)
        cmp = pa < pb ? -1 : 1;
    }
  else if (g_strcmp0 (self->sort_by, "updated") == 0)
    {
      /* ISO 8601 strings sort by time as text; ascending is oldest first. */
      cmp = g_strcmp0 (spec_get_updated (sa), spec_get_updated (sb));
    }
  else
    {
      cmp = compare_number (sa, sb);
    }

  if (cmp != 0)
    return self->descending ? -cmp : cmp;
  /* Ties keep the number order either way, so the list reads the same. */
  return compare_number (sa, sb);
}

/* ------------------------------------------------------------------ */
/* Empty states, counts, tags                                          */

static void update_count (LeanSpecList *self);

static void
update_stack (LeanSpecList *self)
{
  const char *page;
  guint n_store = self->store != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->store)) : 0;
  gboolean loading = self->store != NULL && lean_spec_store_get_loading (self->store);

  if (n_store == 0 && loading)
    page = "loading";
  else if (n_store == 0)
    page = "no-specs";
  else if (g_list_model_get_n_items (G_LIST_MODEL (self->filter_model)) == 0)
    page = "no-match";
  else
    page = "list";

  gtk_spinner_set_spinning (self->loading_spinner, g_str_equal (page, "loading"));
  gtk_stack_set_visible_child_name (self->list_stack, page);

  /* A large project shows its first rows while the rest is still read.
   * Only the first load says so: reloads (every change on disk) would make
   * the list jump down and up by a line. */
  if (loading && n_store > 0 && !self->store_loaded)
    {
      /* Translators: shown under the status filters while a project
       * loads; %u is how many specs are listed so far. */
      g_autofree char *text = g_strdup_printf (ngettext ("Loading… %u spec so far",
                                                         "Loading… %u specs so far",
                                                         n_store), n_store);

      gtk_label_set_label (self->loading_label, text);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->loading_label),
                          loading && n_store > 0 && !self->store_loaded);
  update_count (self);
}

/* "12 of 304 specs" under the filters: a shorter list is filtered, not
 * missing specs. */
static void
update_count (LeanSpecList *self)
{
  guint total = self->store != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->store)) : 0;
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));
  g_autofree char *text = NULL;

  if (shown == total)
    /* Translators: how many specs the list shows, none filtered out. */
    text = g_strdup_printf (ngettext ("%u spec", "%u specs", total), total);
  else
    /* Translators: how many specs the list shows of how many there are. */
    text = g_strdup_printf (ngettext ("%u of %u spec", "%u of %u specs", total), shown, total);
  gtk_label_set_label (self->count_label, text);
  /* While the first load runs, the loading line says it instead. */
  gtk_widget_set_visible (GTK_WIDGET (self->count_label),
                          total > 0 && !gtk_widget_get_visible (GTK_WIDGET (self->loading_label)));
}

static void
update_status_buttons (LeanSpecList *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (filter_statuses); i++)
    {
      LeanSpecStatus status = filter_statuses[i];
      g_autofree char *count = g_strdup_printf ("%u", self->counts[status]);
      gboolean active = (self->status_mask & (1u << status)) != 0;
      GtkWidget *button = GTK_WIDGET (self->status_buttons[status]);

      gtk_label_set_label (self->count_labels[status], count);
      /* Every status keeps its place so the row never shifts when a count
       * drops to zero: an unused one is dimmed and cannot be turned on.
       * "No Status" is last and only there when some spec has none. */
      if (status == LEAN_SPEC_STATUS_NONE)
        gtk_widget_set_visible (button, self->counts[status] > 0 || active);
      gtk_widget_set_sensitive (button, self->counts[status] > 0 || active);
      if (self->counts[status] > 0 || active)
        gtk_widget_remove_css_class (button, "dim-label");
      else
        gtk_widget_add_css_class (button, "dim-label");
    }
}

static void
update_tag_menu (LeanSpecList *self,
                 GPtrArray    *tags)
{
  g_autoptr(GMenuItem) any = NULL;

  g_menu_remove_all (self->tag_menu);
  any = g_menu_item_new (_("Any Tag"), NULL);
  g_menu_item_set_action_and_target (any, "specs.tag-filter", "s", "");
  g_menu_append_item (self->tag_menu, any);

  for (guint i = 0; i < tags->len; i++)
    {
      const char *tag = g_ptr_array_index (tags, i);
      g_autoptr(GMenuItem) item = g_menu_item_new (NULL, NULL);
      g_autofree char *label = g_strdup_printf ("#%s", tag);

      /* Tags are data, not mnemonics: keep underscores as they are. */
      g_menu_item_set_attribute (item, "label", "s", label);
      g_menu_item_set_attribute (item, "use-markup", "b", FALSE);
      g_menu_item_set_action_and_target (item, "specs.tag-filter", "s", tag);
      g_menu_append_item (self->tag_menu, item);
    }
}

/* Case-folds every spec's text in a worker thread after a (re)load so the
 * first search keystroke does not pay for it on the main loop. */
static void
warm_haystacks (LeanSpecList *self)
{
  g_autoptr(GTask) task = NULL;
  GPtrArray *specs;
  guint n;

  g_cancellable_cancel (self->warm_cancellable);
  g_clear_object (&self->warm_cancellable);

  n = self->store != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->store)) : 0;
  if (n == 0)
    return;

  specs = g_ptr_array_new_full (n, g_object_unref);
  for (guint i = 0; i < n; i++)
    {
      LeanSpec *spec = g_list_model_get_item (G_LIST_MODEL (self->store), i);

      if (g_object_get_qdata (G_OBJECT (spec), haystack_quark) == NULL)
        g_ptr_array_add (specs, spec);
      else
        g_object_unref (spec);
    }
  if (specs->len == 0)
    {
      g_ptr_array_unref (specs);
      return;
    }

  self->warm_cancellable = g_cancellable_new ();
  task = g_task_new (NULL, self->warm_cancellable, NULL, NULL);
  g_task_set_source_tag (task, warm_haystacks);
  g_task_set_task_data (task, specs, (GDestroyNotify) g_ptr_array_unref);
  g_task_run_in_thread (task, warm_haystacks_thread);
}

static int
compare_tags (gconstpointer a,
              gconstpointer b)
{
  return g_utf8_collate (*(const char * const *) a, *(const char * const *) b);
}

static gboolean
recount_cb (gpointer user_data)
{
  LeanSpecList *self = user_data;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) tags = g_ptr_array_new ();
  gboolean tags_changed;
  guint n;

  self->recount_id = 0;
  memset (self->counts, 0, sizeof self->counts);

  n = self->store != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->store)) : 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LeanSpec) spec = g_list_model_get_item (G_LIST_MODEL (self->store), i);
      const char * const *spec_tags = lean_spec_get_tags (spec);
      LeanSpecStatus status = lean_spec_get_status (spec);

      if (status < LEAN_SPEC_N_STATUSES)
        self->counts[status]++;
      /* The tag strings belong to the snapshot; copy them below. */
      for (guint j = 0; spec_tags != NULL && spec_tags[j] != NULL; j++)
        if (g_hash_table_add (seen, (gpointer) spec_tags[j]))
          g_ptr_array_add (tags, (gpointer) spec_tags[j]);
    }

  g_ptr_array_sort (tags, compare_tags);
  g_ptr_array_add (tags, NULL);

  tags_changed = self->tags == NULL ||
                 !g_strv_equal ((const char * const *) self->tags,
                                (const char * const *) tags->pdata);
  if (tags_changed)
    {
      g_strfreev (self->tags);
      self->tags = g_strdupv ((char **) tags->pdata);
      g_ptr_array_set_size (tags, tags->len - 1);
      update_tag_menu (self, tags);
    }

  update_status_buttons (self);
  update_stack (self);
  /* Not while loading: the load needs the cores more, and the specs the
   * first batches brought are still there when it is done. */
  if (self->store == NULL || !lean_spec_store_get_loading (self->store))
    warm_haystacks (self);

  return G_SOURCE_REMOVE;
}

static void
queue_recount (LeanSpecList *self)
{
  /* Loads and reloads arrive as bursts of items-changed: count once. */
  if (self->recount_id == 0)
    self->recount_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, recount_cb, self, NULL);
}

/* ------------------------------------------------------------------ */
/* Selection                                                           */

static guint
find_position (LeanSpecList *self,
               const char   *id)
{
  GListModel *model = G_LIST_MODEL (self->filter_model);
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LeanSpec) spec = g_list_model_get_item (model, i);

      if (g_strcmp0 (lean_spec_get_id (spec), id) == 0)
        return i;
    }
  return GTK_INVALID_LIST_POSITION;
}

/* Every row has the same height (lean-spec-row.c), so a row's place in
 * the scrolled list follows from its position. */
static double
row_height (LeanSpecList *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scrolled_window);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));

  return n > 0 ? gtk_adjustment_get_upper (adjustment) / n : 0;
}

/* Puts the selected row @offset pixels below the top of the view. */
static void
scroll_selected_to_offset (LeanSpecList *self,
                           double        offset)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scrolled_window);
  guint position = gtk_single_selection_get_selected (self->selection);

  if (position == GTK_INVALID_LIST_POSITION)
    return;
  gtk_adjustment_set_value (adjustment,
                            CLAMP (position * row_height (self) - offset, 0,
                                   MAX (0, gtk_adjustment_get_upper (adjustment) -
                                           gtk_adjustment_get_page_size (adjustment))));
}

static void
scroll_after_paint_cb (GdkFrameClock *clock,
                       LeanSpecList  *self)
{
  guint position = gtk_single_selection_get_selected (self->selection);

  g_clear_signal_handler (&self->scroll_id, clock);
  g_clear_weak_pointer (&self->scroll_clock);
  if (self->keep_offset >= 0)
    scroll_selected_to_offset (self, self->keep_offset);
  else if (position != GTK_INVALID_LIST_POSITION)
    gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item",
                                "u", position);
  self->keep_offset = -1;
}

static void
scroll_to_selected (LeanSpecList *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self->list_view));
  guint position = gtk_single_selection_get_selected (self->selection);

  /* GTK 4.8 has no gtk_list_view_scroll_to(); the list's own action does
   * the same, but only right once the rows have been measured: a list that
   * was just filled believes every row is zero pixels high. So it runs
   * again after the next frame's layout. */
  /* A kept offset waits for the frame: right after a re-sort the list
   * cannot map a scroll value to its rows yet. */
  if (self->keep_offset < 0 && position != GTK_INVALID_LIST_POSITION)
    gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item",
                                "u", position);
  if (clock == NULL || self->scroll_id != 0)
    return;
  g_set_weak_pointer (&self->scroll_clock, clock);
  self->scroll_id = g_signal_connect (clock, "after-paint",
                                      G_CALLBACK (scroll_after_paint_cb), self);
  gtk_widget_queue_draw (GTK_WIDGET (self->list_view));
}

static gboolean
reselect_cb (gpointer user_data)
{
  LeanSpecList *self = user_data;
  guint position;

  self->reselect_id = 0;

  if (self->wanted_id == NULL ||
      gtk_single_selection_get_selected (self->selection) != GTK_INVALID_LIST_POSITION)
    return G_SOURCE_REMOVE;

  position = find_position (self, self->wanted_id);
  if (position != GTK_INVALID_LIST_POSITION)
    gtk_single_selection_set_selected (self->selection, position);

  return G_SOURCE_REMOVE;
}

static void
on_selection_items_changed (LeanSpecList *self,
                            guint         position,
                            guint         removed,
                            guint         added,
                            GListModel   *model)
{
  update_stack (self);

  /* A reload that rewrote the selected spec replaces its object: select
   * the new snapshot of the same spec once the views have caught up. */
  if (self->wanted_id != NULL && added > 0 &&
      gtk_single_selection_get_selected (self->selection) == GTK_INVALID_LIST_POSITION &&
      self->reselect_id == 0)
    self->reselect_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, reselect_cb, self, NULL);
}

static void
on_selected_item_changed (LeanSpecList *self)
{
  LeanSpec *spec = gtk_single_selection_get_selected_item (self->selection);

  /* A re-sort takes every row out and puts it back: the spec stays
   * selected, and the page showing it must not blink. */
  if (spec == NULL && self->resorting)
    return;

  if (spec != NULL)
    {
      g_free (self->wanted_id);
      self->wanted_id = g_strdup (lean_spec_get_id (spec));
    }

  if (g_set_object (&self->selected_spec, spec))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_SPEC]);
}

static void
on_list_activate (LeanSpecList *self,
                  guint         position)
{
  g_autoptr(LeanSpec) spec = g_list_model_get_item (G_LIST_MODEL (self->filter_model), position);

  if (spec != NULL)
    g_signal_emit (self, signals[SPEC_ACTIVATED], 0, spec);
}

/* Sorts again, keeping the selected spec selected and, with
 * @keep_scroll, at the same height in the view. */
static void
resort (LeanSpecList *self,
        gboolean      keep_scroll)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scrolled_window);
  guint position = gtk_single_selection_get_selected (self->selection);
  double offset = -1;

  if (position != GTK_INVALID_LIST_POSITION && keep_scroll)
    offset = position * row_height (self) - gtk_adjustment_get_value (adjustment);

  self->resorting = TRUE;
  gtk_sorter_changed (GTK_SORTER (self->sorter), GTK_SORTER_CHANGE_DIFFERENT);
  if (self->wanted_id != NULL && self->selected_spec != NULL)
    {
      position = find_position (self, self->wanted_id);
      if (position != GTK_INVALID_LIST_POSITION &&
          gtk_single_selection_get_selected (self->selection) != position)
        gtk_single_selection_set_selected (self->selection, position);
    }
  self->resorting = FALSE;
  /* Hidden by the filter: the page has nothing to show any more. */
  on_selected_item_changed (self);

  if (gtk_single_selection_get_selected (self->selection) == GTK_INVALID_LIST_POSITION)
    return;
  if (offset >= 0)
    {
      self->keep_offset = MAX (offset, 0);
      scroll_to_selected (self);
    }
}

/* ------------------------------------------------------------------ */
/* Search                                                              */

static void
apply_search (LeanSpecList *self,
              const char   *text)
{
  g_autofree char *folded = NULL;
  g_auto(GStrv) words = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;

  folded = g_utf8_casefold (text != NULL ? text : "", -1);
  words = g_strsplit_set (g_strstrip (folded), " \t", -1);
  builder = g_strv_builder_new ();
  for (guint i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0')
      g_strv_builder_add (builder, words[i]);

  g_strfreev (self->search_words);
  self->search_words = g_strv_builder_end (builder);
  if (self->search_words[0] == NULL)
    g_clear_pointer (&self->search_words, g_strfreev);
  g_free (self->search_text);
  self->search_text = g_strdup (folded);
  g_hash_table_remove_all (self->ranks);

  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  /* The best matches first; the order the menu says without a search. */
  resort (self, FALSE);
  update_count (self);
}

static void
on_search_changed (LeanSpecList   *self,
                   GtkSearchEntry *entry)
{
  apply_search (self, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void
on_stop_search (LeanSpecList   *self,
                GtkSearchEntry *entry)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  apply_search (self, "");
  lean_spec_list_focus_list (self);
}

static void
on_search_activate (LeanSpecList   *self,
                    GtkSearchEntry *entry)
{
  /* Enter in the search field goes to the results. */
  if (gtk_single_selection_get_selected (self->selection) == GTK_INVALID_LIST_POSITION &&
      g_list_model_get_n_items (G_LIST_MODEL (self->filter_model)) > 0)
    gtk_single_selection_set_selected (self->selection, 0);
  lean_spec_list_focus_list (self);
}

/* ------------------------------------------------------------------ */
/* Store                                                               */

static void
on_store_items_changed (LeanSpecList *self)
{
  /* Ranks are per spec object, and a reload brings new objects. */
  g_hash_table_remove_all (self->ranks);
  queue_recount (self);
}

static void
on_store_reloaded (LeanSpecList *self)
{
  self->store_loaded = TRUE;
  update_stack (self);
}

static void
on_store_loading_changed (LeanSpecList *self)
{
  update_stack (self);
  /* The last items-changed may have come before loading ended. */
  if (!lean_spec_store_get_loading (self->store))
    queue_recount (self);
}

void
lean_spec_list_set_store (LeanSpecList  *self,
                          LeanSpecStore *store)
{
  g_return_if_fail (LEAN_IS_SPEC_LIST (self));
  g_return_if_fail (store == NULL || LEAN_IS_SPEC_STORE (store));

  if (self->store == store)
    return;

  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);

  g_set_object (&self->store, store);
  self->store_loaded = FALSE;
  g_clear_pointer (&self->wanted_id, g_free);
  g_clear_handle_id (&self->reselect_id, g_source_remove);

  if (store != NULL)
    {
      g_signal_connect_object (store, "items-changed",
                               G_CALLBACK (on_store_items_changed), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (store, "notify::loading",
                               G_CALLBACK (on_store_loading_changed), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (store, "reloaded",
                               G_CALLBACK (on_store_reloaded), self,
                               G_CONNECT_SWAPPED);
    }

  gtk_sort_list_model_set_model (self->sort_model, G_LIST_MODEL (store));
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  queue_recount (self);
  update_stack (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

/* ------------------------------------------------------------------ */
/* Filters                                                             */

static void
on_status_toggled (LeanSpecList    *self,
                   GtkToggleButton *button)
{
  LeanSpecStatus status = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "status"));
  guint mask = self->status_mask;

  if (gtk_toggle_button_get_active (button))
    mask |= 1u << status;
  else
    mask &= ~(1u << status);

  if (mask == self->status_mask)
    return;
  self->status_mask = mask;
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_status_buttons (self);
}

void
lean_spec_list_toggle_status (LeanSpecList   *self,
                              LeanSpecStatus  status)
{
  GtkToggleButton *button;

  g_return_if_fail (LEAN_IS_SPEC_LIST (self));
  g_return_if_fail (status < LEAN_SPEC_N_STATUSES);

  button = self->status_buttons[status];
  gtk_toggle_button_set_active (button, !gtk_toggle_button_get_active (button));
}

gboolean
lean_spec_list_get_status_shown (LeanSpecList   *self,
                                 LeanSpecStatus  status)
{
  g_return_val_if_fail (LEAN_IS_SPEC_LIST (self), FALSE);
  return self->status_mask == 0 || (self->status_mask & (1u << status)) != 0;
}

guint
lean_spec_list_get_status_count (LeanSpecList   *self,
                                 LeanSpecStatus  status)
{
  g_return_val_if_fail (LEAN_IS_SPEC_LIST (self), 0);
  g_return_val_if_fail (status < LEAN_SPEC_N_STATUSES, 0);

  /* Counts are coalesced in an idle; answer with the current state. */
  if (self->recount_id != 0)
    {
      g_source_remove (self->recount_id);
      recount_cb (self);
    }
  return self->counts[status];
}

/* Priority and tag filters live in a menu: say that they are on, or a
 * shorter list looks like missing specs. */
static void
update_filter_summary (LeanSpecList *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  LeanSpecPriority priority;

  if (self->priority_filter != NULL && self->priority_filter[0] != '\0' &&
      lean_spec_priority_from_string (self->priority_filter, &priority))
    /* Translators: the active priority filter, %s is a priority. */
    g_string_append_printf (text, _("%s priority"), lean_spec_priority_get_label (priority));

  if (self->tag_filter != NULL && self->tag_filter[0] != '\0')
    {
      if (text->len > 0)
        g_string_append (text, " · ");
      g_string_append_printf (text, "#%s", self->tag_filter);
    }

  if (text->len > 0)
    {
      /* Translators: %s lists the active filters ("High priority · #ui"). */
      g_autofree char *label = g_strdup_printf (_("Only %s"), text->str);

      gtk_label_set_label (self->filter_label, label);
    }
  gtk_revealer_set_reveal_child (self->filter_revealer, text->len > 0);
}

static void
set_string_prop (LeanSpecList  *self,
                 char         **field,
                 const char    *value,
                 int            prop)
{
  if (value == NULL)
    value = "";
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);

  if (prop == PROP_SORT_BY)
    resort (self, TRUE);
  else
    {
      gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
      update_filter_summary (self);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

void
lean_spec_list_clear_filters (LeanSpecList *self)
{
  g_return_if_fail (LEAN_IS_SPEC_LIST (self));

  for (guint i = 0; i < LEAN_SPEC_N_STATUSES; i++)
    gtk_toggle_button_set_active (self->status_buttons[i], FALSE);
  set_string_prop (self, &self->priority_filter, "", PROP_PRIORITY_FILTER);
  set_string_prop (self, &self->tag_filter, "", PROP_TAG_FILTER);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  apply_search (self, "");
}

static void
clear_filters_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  lean_spec_list_clear_filters (LEAN_SPEC_LIST (widget));
}

static void
toggle_status_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  int status = g_variant_get_int32 (param);

  if (status >= 0 && status < LEAN_SPEC_N_STATUSES)
    lean_spec_list_toggle_status (LEAN_SPEC_LIST (widget), status);
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */

GtkWidget *
lean_spec_list_new (void)
{
  return g_object_new (LEAN_TYPE_SPEC_LIST, NULL);
}

LeanSpecStore *
lean_spec_list_get_store (LeanSpecList *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC_LIST (self), NULL);
  return self->store;
}

LeanSpec *
lean_spec_list_get_selected_spec (LeanSpecList *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC_LIST (self), NULL);
  return self->selected_spec;
}

GListModel *
lean_spec_list_get_model (LeanSpecList *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC_LIST (self), NULL);
  return G_LIST_MODEL (self->filter_model);
}

gboolean
lean_spec_list_select_id (LeanSpecList *self,
                          const char   *id)
{
  guint position;

  g_return_val_if_fail (LEAN_IS_SPEC_LIST (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if (self->store == NULL || lean_spec_store_lookup (self->store, id) == NULL)
    return FALSE;

  position = find_position (self, id);
  if (position == GTK_INVALID_LIST_POSITION)
    {
      /* The person asked for this spec by name: show it even if the
       * current filters hide it. */
      lean_spec_list_clear_filters (self);
      position = find_position (self, id);
    }
  if (position == GTK_INVALID_LIST_POSITION)
    return FALSE;

  gtk_single_selection_set_selected (self->selection, position);
  scroll_to_selected (self);
  return TRUE;
}

void
lean_spec_list_focus_search (LeanSpecList *self)
{
  g_return_if_fail (LEAN_IS_SPEC_LIST (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

void
lean_spec_list_focus_list (LeanSpecList *self)
{
  guint selected;

  g_return_if_fail (LEAN_IS_SPEC_LIST (self));

  selected = gtk_single_selection_get_selected (self->selection);
  if (selected != GTK_INVALID_LIST_POSITION)
    {
      /* Focus the selected row itself so arrow keys continue from it. */
      gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item",
                                  "u", selected);
    }
  gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}

void
lean_spec_list_set_search_text (LeanSpecList *self,
                                const char   *text)
{
  g_return_if_fail (LEAN_IS_SPEC_LIST (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text != NULL ? text : "");
  apply_search (self, text);
}

GtkAdjustment *
_lean_spec_list_get_vadjustment (LeanSpecList *self)
{
  return gtk_scrolled_window_get_vadjustment (self->scrolled_window);
}

/* ------------------------------------------------------------------ */
/* Rows                                                                */

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  gtk_list_item_set_child (item, lean_spec_row_new ());
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          gpointer                  user_data)
{
  LeanSpecRow *row = LEAN_SPEC_ROW (gtk_list_item_get_child (item));

  lean_spec_row_set_spec (row, gtk_list_item_get_item (item));
}

static void
unbind_row (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  lean_spec_row_set_spec (LEAN_SPEC_ROW (gtk_list_item_get_child (item)), NULL);
}

static void
build_status_buttons (LeanSpecList *self)
{
  gtk_widget_set_layout_manager (GTK_WIDGET (self->status_box), lean_wrap_layout_new (6, 6));

  for (guint i = 0; i < G_N_ELEMENTS (filter_statuses); i++)
    {
      LeanSpecStatus status = filter_statuses[i];
      const char *css = lean_spec_row_status_css_class (status);
      const char *label = lean_spec_status_get_label (status);
      GtkWidget *button = gtk_toggle_button_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 5);
      GtkWidget *dot = gtk_label_new ("●");
      GtkWidget *name = gtk_label_new (label != NULL ? label : _("No Status"));
      GtkWidget *count = gtk_label_new ("0");
      g_autofree char *tooltip = NULL;

      gtk_widget_add_css_class (count, "count");
      /* The dot carries the status colour even when the filter is off. */
      gtk_widget_add_css_class (dot, "status-dot");
      gtk_widget_add_css_class (dot, css);
      gtk_box_append (GTK_BOX (box), dot);
      gtk_box_append (GTK_BOX (box), name);
      gtk_box_append (GTK_BOX (box), count);
      gtk_button_set_child (GTK_BUTTON (button), box);
      gtk_widget_add_css_class (button, "status-filter");
      gtk_widget_add_css_class (button, css);
      gtk_widget_set_focus_on_click (button, FALSE);
      gtk_widget_set_halign (button, GTK_ALIGN_START);
      /* Translators: tooltip of a status filter button, %s is a status. */
      tooltip = g_strdup_printf (_("Show only “%s” specs; combine with other statuses"),
                                 label != NULL ? label : _("No Status"));
      gtk_widget_set_tooltip_text (button, tooltip);
      g_object_set_data (G_OBJECT (button), "status", GUINT_TO_POINTER (status));
      g_signal_connect_object (button, "toggled", G_CALLBACK (on_status_toggled), self,
                               G_CONNECT_SWAPPED);

      gtk_box_append (self->status_box, button);
      self->status_buttons[status] = GTK_TOGGLE_BUTTON (button);
      self->count_labels[status] = GTK_LABEL (count);
    }
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */

static void
lean_spec_list_dispose (GObject *object)
{
  LeanSpecList *self = LEAN_SPEC_LIST (object);
  GtkWidget *child;

  g_clear_handle_id (&self->recount_id, g_source_remove);
  g_clear_handle_id (&self->reselect_id, g_source_remove);
  /* The frame clock may already be gone with the window's surface. */
  if (self->scroll_clock != NULL)
    g_clear_signal_handler (&self->scroll_id, self->scroll_clock);
  self->scroll_id = 0;
  g_clear_weak_pointer (&self->scroll_clock);
  g_cancellable_cancel (self->warm_cancellable);
  g_clear_object (&self->warm_cancellable);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);

  gtk_widget_dispose_template (GTK_WIDGET (self), LEAN_TYPE_SPEC_LIST);
  /* dispose_template only drops the bound children; unparent the rest. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  g_clear_object (&self->selection);
  g_clear_object (&self->sort_model);
  g_clear_object (&self->filter_model);
  g_clear_object (&self->filter);
  g_clear_object (&self->sorter);
  g_clear_object (&self->store);
  g_clear_object (&self->selected_spec);

  G_OBJECT_CLASS (lean_spec_list_parent_class)->dispose (object);
}

static void
lean_spec_list_finalize (GObject *object)
{
  LeanSpecList *self = LEAN_SPEC_LIST (object);

  g_free (self->priority_filter);
  g_free (self->tag_filter);
  g_free (self->sort_by);
  g_free (self->wanted_id);
  g_strfreev (self->search_words);
  g_free (self->search_text);
  g_hash_table_unref (self->ranks);
  g_strfreev (self->tags);

  G_OBJECT_CLASS (lean_spec_list_parent_class)->finalize (object);
}

static void
lean_spec_list_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  LeanSpecList *self = LEAN_SPEC_LIST (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_SELECTED_SPEC:
      g_value_set_object (value, self->selected_spec);
      break;
    case PROP_SORT_BY:
      g_value_set_string (value, self->sort_by);
      break;
    case PROP_SORT_DIRECTION:
      g_value_set_string (value, self->descending ? "descending" : "ascending");
      break;
    case PROP_PRIORITY_FILTER:
      g_value_set_string (value, self->priority_filter);
      break;
    case PROP_TAG_FILTER:
      g_value_set_string (value, self->tag_filter);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_spec_list_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  LeanSpecList *self = LEAN_SPEC_LIST (object);

  switch (prop_id)
    {
    case PROP_STORE:
      lean_spec_list_set_store (self, g_value_get_object (value));
      break;
    case PROP_SORT_BY:
      {
        const char *sort_by = g_value_get_string (value);
        gboolean reset;

        if (g_strcmp0 (sort_by, "priority") != 0 && g_strcmp0 (sort_by, "updated") != 0)
          sort_by = "number";
        reset = self->sort_by != NULL && g_strcmp0 (sort_by, self->sort_by) != 0;
        /* A newly picked key starts in the order people read it in, as in
         * Files: numbers from the first, the most urgent priority and the
         * latest update first. The window restores the saved direction
         * after the saved key, so a saved choice still wins. */
        if (reset)
          {
            g_object_freeze_notify (object);
            self->descending = !g_str_equal (sort_by, "number");
            g_object_notify_by_pspec (object, properties[PROP_SORT_DIRECTION]);
          }
        set_string_prop (self, &self->sort_by, sort_by, PROP_SORT_BY);
        if (reset)
          g_object_thaw_notify (object);
      }
      break;
    case PROP_SORT_DIRECTION:
      {
        gboolean descending = g_strcmp0 (g_value_get_string (value), "descending") == 0;

        if (descending != self->descending)
          {
            self->descending = descending;
            resort (self, TRUE);
            g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SORT_DIRECTION]);
          }
      }
      break;
    case PROP_PRIORITY_FILTER:
      set_string_prop (self, &self->priority_filter, g_value_get_string (value),
                       PROP_PRIORITY_FILTER);
      break;
    case PROP_TAG_FILTER:
      set_string_prop (self, &self->tag_filter, g_value_get_string (value), PROP_TAG_FILTER);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_spec_list_class_init (LeanSpecListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lean_spec_list_dispose;
  object_class->finalize = lean_spec_list_finalize;
  object_class->get_property = lean_spec_list_get_property;
  object_class->set_property = lean_spec_list_set_property;

  haystack_quark = g_quark_from_static_string ("lean-spec-list-haystack");

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, LEAN_TYPE_SPEC_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED_SPEC] =
    g_param_spec_object ("selected-spec", NULL, NULL, LEAN_TYPE_SPEC,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SORT_BY] =
    g_param_spec_string ("sort-by", NULL, NULL, "number",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SORT_DIRECTION] =
    g_param_spec_string ("sort-direction", NULL, NULL, "ascending",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PRIORITY_FILTER] =
    g_param_spec_string ("priority-filter", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TAG_FILTER] =
    g_param_spec_string ("tag-filter", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SPEC_ACTIVATED] =
    g_signal_new ("spec-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, LEAN_TYPE_SPEC);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/dev/leanspec/Desktop/lean-spec-list.ui");
  gtk_widget_class_bind_template_child (widget_class, LeanSpecList, search_entry);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecList, filter_button);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecList, filter_revealer);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecList, filter_label);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecList, status_box);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecList, list_stack);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecList, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecList, loading_label);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecList, count_label);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecList, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecList, list_view);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecList, tag_menu);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search);
  gtk_widget_class_bind_template_callback (widget_class, on_search_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_list_activate);

  gtk_widget_class_install_property_action (widget_class, "specs.sort-by", "sort-by");
  gtk_widget_class_install_property_action (widget_class, "specs.sort-direction", "sort-direction");
  gtk_widget_class_install_property_action (widget_class, "specs.priority-filter",
                                            "priority-filter");
  gtk_widget_class_install_property_action (widget_class, "specs.tag-filter", "tag-filter");
  gtk_widget_class_install_action (widget_class, "specs.toggle-status", "i",
                                   toggle_status_action);
  gtk_widget_class_install_action (widget_class, "specs.clear-filters", NULL,
                                   clear_filters_action);
}

static void
lean_spec_list_init (LeanSpecList *self)
{
  GtkListItemFactory *factory;

  self->sort_by = g_strdup ("number");
  self->keep_offset = -1;
  self->ranks = g_hash_table_new (NULL, NULL);
  self->priority_filter = g_strdup ("");
  self->tag_filter = g_strdup ("");

  gtk_widget_init_template (GTK_WIDGET (self));

  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->sorter = gtk_custom_sorter_new (sort_func, self, NULL);
  /* Sort first, then filter: filters change with every keystroke and
   * status toggle, and a filter model keeps its input's order, so a
   * filter change never re-sorts. */
  self->sort_model = gtk_sort_list_model_new (NULL, g_object_ref (GTK_SORTER (self->sorter)));
  self->filter_model = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->sort_model)),
                                                  g_object_ref (GTK_FILTER (self->filter)));
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->filter_model)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  g_signal_connect_object (self->selection, "notify::selected-item",
                           G_CALLBACK (on_selected_item_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "items-changed",
                           G_CALLBACK (on_selection_items_changed), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), NULL);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));

  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self->list_view));

  build_status_buttons (self);
  update_tag_menu (self, &(GPtrArray) { 0 });
  update_status_buttons (self);
  update_stack (self);
}
