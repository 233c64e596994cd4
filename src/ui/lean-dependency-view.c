/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <math.h>
#include <string.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "lean-dependency-view.h"
#include "lean-view-refresh.h"

#define NODE_W      230
#define NODE_H       38
#define GAP_X       90
#define GAP_Y       14
#define MARGIN      24
#define LEGEND_H    34
#define ZOOM_MIN    0.25
#define ZOOM_MAX    2.0
/* Barycentre passes over the layers: a few already untangle most of a
 * project's graph, more cost time without changing much. */
#define ORDER_SWEEPS 6

/* Edge tiles: 512 px squares of the zoomed graph; 48 of them (about 48 MB
 * at scale 1) cover a large screen twice over. */
#define TILE_SIZE 512
#define MAX_TILES 48


typedef struct
{
  char           *id;
  char           *title;
  guint           number;
  LeanSpecStatus  status;
  gboolean        missing;
  gboolean        in_cycle;
  int             layer;
  double          order;
  double          x;
  double          y;
  PangoLayout    *layout;    /* built on the main thread when first drawn */
} Node;

typedef struct
{
  guint    from;
  guint    to;
  gboolean parent;           /* a parent-child relation, not depends_on */
  gboolean cycle;            /* closes a cycle: drawn, not layered */
} Edge;

typedef struct
{
  GArray *nodes;             /* Node */
  GArray *edges;             /* Edge */
  double  width;
  double  height;
  guint   n_specs;
  guint   n_isolated;
  guint   n_cycle_edges;
  guint   n_missing;
} Graph;

struct _LeanDependencyView
{
  GtkWidget      parent_instance;

  LeanSpecStore *store;
  Graph         *graph;
  GCancellable  *cancellable;  /* while a layout is computed */
  LeanViewRefresh *refresh;
  double         zoom;

  GtkAdjustment *hadjustment;
  GtkAdjustment *vadjustment;
  guint          hscroll_policy : 1;
  guint          vscroll_policy : 1;

  double         pan_h;
  double         pan_v;
  gboolean       panned;      /* the press became a pan, not a click */
  PangoLayout   *legend;

  /* The edges drawn into tiles of the zoomed graph on worker threads (tile
   * key -> GdkTexture), the least recently used dropped past MAX_TILES;
   * drawn for one graph, zoom, scale and colour: a change drops them and
   * a new generation ignores tiles still being drawn. */
  GArray        *shapes;       /* EdgeShape, shared with the tiles' threads */
  GHashTable    *tiles;
  GHashTable    *pending_tiles;
  GQueue        *tile_order;   /* keys, most recently used first */
  guint          tile_generation;
  guint          tiles_missing; /* on screen at the last frame, not drawn yet */
  double         tiles_zoom;
  int            tiles_scale;
  gboolean       tiles_dark;
  GdkRGBA        tiles_fg;
};

static void lean_dependency_view_scrollable_init (GtkScrollableInterface *iface);
static void drop_tiles (LeanDependencyView *self);

G_DEFINE_FINAL_TYPE_WITH_CODE (LeanDependencyView, lean_dependency_view, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_SCROLLABLE,
                                                      lean_dependency_view_scrollable_init))

enum {
  PROP_0,
  PROP_HADJUSTMENT,
  PROP_VADJUSTMENT,
  PROP_HSCROLL_POLICY,
  PROP_VSCROLL_POLICY,
  N_PROPS
};

enum {
  OPEN_SPEC,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ------------------------------------------------------------------ */
/* The graph, built on a worker thread                                 */

static void
node_clear (gpointer data)
{
  Node *node = data;

  g_free (node->id);
  g_free (node->title);
  g_clear_object (&node->layout);
}

static void
graph_free (Graph *graph)
{
  if (graph == NULL)
    return;
  g_array_unref (graph->nodes);
  g_array_unref (graph->edges);
  g_free (graph);
}

static guint
node_for (Graph      *graph,
          GHashTable *index,
          const char *id,
          LeanSpec   *spec)
{
  gpointer found;
  Node node = { 0 };

  if (g_hash_table_lookup_extended (index, id, NULL, &found))
    return GPOINTER_TO_UINT (found);

  node.id = g_strdup (id);
  if (spec != NULL)
    {
      node.title = g_strdup (lean_spec_get_title (spec));
      node.number = lean_spec_get_number (spec);
      node.status = lean_spec_get_status (spec);
    }
  else
    {
      node.title = g_strdup (id);
      node.missing = TRUE;
    }
  g_array_append_val (graph->nodes, node);
  g_hash_table_insert (index, g_array_index (graph->nodes, Node, graph->nodes->len - 1).id,
                       GUINT_TO_POINTER (graph->nodes->len - 1));
  return graph->nodes->len - 1;
}

/* Marks the edges that close a cycle (back edges of a depth-first walk,
 * done with an explicit stack so a long chain cannot overflow it) and the
 * nodes on them. Without those edges the graph is acyclic. */
static void
mark_cycles (Graph *graph)
{
  guint n = graph->nodes->len;
  g_autofree guint8 *state = g_new0 (guint8, n);   /* 0 new, 1 on stack, 2 done */
  g_autofree guint *first = g_new0 (guint, n + 1);
  g_autofree guint *adj = g_new0 (guint, MAX (graph->edges->len, 1));
  g_autofree guint *cursor = g_new0 (guint, n);
  g_autofree guint *stack = g_new0 (guint, n);
  g_autofree guint *count = g_new0 (guint, n);

  /* Adjacency as index arrays (edge numbers by source). */
  for (guint e = 0; e < graph->edges->len; e++)
    count[g_array_index (graph->edges, Edge, e).from]++;
  for (guint v = 0; v < n; v++)
    first[v + 1] = first[v] + count[v];
  memset (count, 0, n * sizeof (guint));
  for (guint e = 0; e < graph->edges->len; e++)
    {
      guint from = g_array_index (graph->edges, Edge, e).from;

      adj[first[from] + count[from]++] = e;
    }

  for (guint root = 0; root < n; root++)
    {
      guint depth = 0;

      if (state[root] != 0)
        continue;
      stack[depth++] = root;
      state[root] = 1;
      cursor[root] = first[root];
      while (depth > 0)
        {
          guint v = stack[depth - 1];

          if (cursor[v] < first[v + 1])
            {
              Edge *edge = &g_array_index (graph->edges, Edge, adj[cursor[v]++]);

              if (state[edge->to] == 1)
                {
                  /* Every node on the walk from the target down to here
                   * is on the cycle this edge closes. */
                  edge->cycle = TRUE;
                  for (guint d = depth; d > 0; d--)
                    {
                      g_array_index (graph->nodes, Node, stack[d - 1]).in_cycle = TRUE;
                      if (stack[d - 1] == edge->to)
                        break;
                    }
                  graph->n_cycle_edges++;
                }
              else if (state[edge->to] == 0)
                {
                  state[edge->to] = 1;
                  cursor[edge->to] = first[edge->to];
                  stack[depth++] = edge->to;
                }
            }
          else
            {
              state[v] = 2;
              depth--;
            }
        }
    }
}

static int
compare_order (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  Graph *graph = user_data;
  const Node *na = &g_array_index (graph->nodes, Node, *(const guint *) a);
  const Node *nb = &g_array_index (graph->nodes, Node, *(const guint *) b);

  if (na->order != nb->order)
    return na->order < nb->order ? -1 : 1;
  return (int) na->number - (int) nb->number;
}

/* Longest-path layers over the acyclic edges, then barycentre ordering
 * within each layer, then coordinates. */
static void
layout_graph (Graph *graph)
{
  guint n = graph->nodes->len;
  g_autofree guint *indegree = g_new0 (guint, n);
  g_autoptr(GArray) queue = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GPtrArray) layers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  int max_layer = 0;
  double tallest = 0;
  double top;

  mark_cycles (graph);

  for (guint e = 0; e < graph->edges->len; e++)
    {
      Edge *edge = &g_array_index (graph->edges, Edge, e);

      if (!edge->cycle)
        indegree[edge->to]++;
    }
  for (guint v = 0; v < n; v++)
    if (indegree[v] == 0)
      g_array_append_val (queue, v);
  /* Kahn's order; a node's layer is one more than its deepest source. The
   * edges are scanned per node: fine for the few hundred relations a
   * project has, and the whole thing runs off the main thread. */
  {
    g_autofree guint *first = g_new0 (guint, n + 1);
    g_autofree guint *adj = g_new0 (guint, MAX (graph->edges->len, 1));
    g_autofree guint *fill = g_new0 (guint, n);

    for (guint e = 0; e < graph->edges->len; e++)
      first[g_array_index (graph->edges, Edge, e).from + 1]++;
    for (guint v = 0; v < n; v++)
      first[v + 1] += first[v];
    for (guint e = 0; e < graph->edges->len; e++)
      {
        guint from = g_array_index (graph->edges, Edge, e).from;

        adj[first[from] + fill[from]++] = e;
      }
    for (guint q = 0; q < queue->len; q++)
      {
        guint v = g_array_index (queue, guint, q);
        Node *node = &g_array_index (graph->nodes, Node, v);

        for (guint k = first[v]; k < first[v + 1]; k++)
          {
            Edge *edge = &g_array_index (graph->edges, Edge, adj[k]);
            Node *to = &g_array_index (graph->nodes, Node, edge->to);

            if (edge->cycle)
              continue;
            to->layer = MAX (to->layer, node->layer + 1);
            if (--indegree[edge->to] == 0)
              g_array_append_val (queue, edge->to);
          }
        max_layer = MAX (max_layer, node->layer);
      }
  }

  for (int l = 0; l <= max_layer; l++)
    g_ptr_array_add (layers, g_array_new (FALSE, FALSE, sizeof (guint)));
  for (guint v = 0; v < n; v++)
    {
      Node *node = &g_array_index (graph->nodes, Node, v);

      node->order = node->number;
      g_array_append_val (g_ptr_array_index (layers, node->layer), v);
    }
  for (int l = 0; l <= max_layer; l++)
    {
      GArray *layer = g_ptr_array_index (layers, l);

      g_array_sort_with_data (layer, compare_order, graph);
      for (guint i = 0; i < layer->len; i++)
        g_array_index (graph->nodes, Node, g_array_index (layer, guint, i)).order = i;
    }

  /* Each pass puts a node at the mean position of its neighbours in the
   * layers on one side, alternating sides. */
  for (guint sweep = 0; sweep < ORDER_SWEEPS; sweep++)
    {
      gboolean down = sweep % 2 == 0;
      g_autofree double *sum = g_new0 (double, n);
      g_autofree guint *cnt = g_new0 (guint, n);

      for (guint e = 0; e < graph->edges->len; e++)
        {
          Edge *edge = &g_array_index (graph->edges, Edge, e);
          guint me = down ? edge->to : edge->from;
          guint other = down ? edge->from : edge->to;

          if (edge->cycle)
            continue;
          sum[me] += g_array_index (graph->nodes, Node, other).order;
          cnt[me]++;
        }
      for (guint v = 0; v < n; v++)
        if (cnt[v] > 0)
          g_array_index (graph->nodes, Node, v).order = sum[v] / cnt[v];
      for (int l = 0; l <= max_layer; l++)
        {
          GArray *layer = g_ptr_array_index (layers, l);

          g_array_sort_with_data (layer, compare_order, graph);
          for (guint i = 0; i < layer->len; i++)
            g_array_index (graph->nodes, Node, g_array_index (layer, guint, i)).order = i;
        }
    }

  for (int l = 0; l <= max_layer; l++)
    tallest = MAX (tallest, ((GArray *) g_ptr_array_index (layers, l))->len);
  /* Room above the top boxes for the arcs of cycles. */
  top = MARGIN + LEGEND_H + (graph->n_cycle_edges > 0 ? 60 : 0);
  for (guint v = 0; v < n; v++)
    {
      Node *node = &g_array_index (graph->nodes, Node, v);
      guint layer_len = ((GArray *) g_ptr_array_index (layers, node->layer))->len;
      /* Short layers are centred on the tallest one. */
      double offset = (tallest - layer_len) * (NODE_H + GAP_Y) / 2.0;

      node->x = MARGIN + node->layer * (NODE_W + GAP_X);
      node->y = top + offset + node->order * (NODE_H + GAP_Y);
    }
  graph->width = 2 * MARGIN + (max_layer + 1) * (NODE_W + GAP_X) - GAP_X;
  graph->height = top + MARGIN + tallest * (NODE_H + GAP_Y);
}

typedef struct
{
  LeanProject *project;
  GPtrArray   *specs;
} GraphInput;

static void
graph_input_free (GraphInput *input)
{
  g_object_unref (input->project);
  g_ptr_array_unref (input->specs);
  g_free (input);
}

/* A relation names its target as people type it ("042", "foo",
 * "specs/042-foo"), as LeanSpec accepts; the folder name is the common
 * case and the quick one. */
static LeanSpec *
resolve (GraphInput *input,
         GHashTable *by_id,
         const char *ref)
{
  LeanSpec *spec = g_hash_table_lookup (by_id, ref);

  if (spec != NULL)
    return spec;
  return lean_project_find_spec (input->project, input->specs, ref, NULL);
}

static void
build_graph_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  GraphInput *input = task_data;
  GPtrArray *specs = input->specs;
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) index = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  Graph *graph = g_new0 (Graph, 1);

  graph->nodes = g_array_new (FALSE, TRUE, sizeof (Node));
  g_array_set_clear_func (graph->nodes, node_clear);
  graph->edges = g_array_new (FALSE, TRUE, sizeof (Edge));
  graph->n_specs = specs->len;

  for (guint i = 0; i < specs->len; i++)
    {
      LeanSpec *spec = g_ptr_array_index (specs, i);

      if (!g_hash_table_contains (by_id, lean_spec_get_id (spec)))
        g_hash_table_insert (by_id, (gpointer) lean_spec_get_id (spec), spec);
    }

  for (guint i = 0; i < specs->len; i++)
    {
      LeanSpec *spec = g_ptr_array_index (specs, i);
      const char * const *deps = lean_spec_get_depends_on (spec);
      const char *parent = lean_spec_get_parent (spec);
      guint me;

      if (deps[0] == NULL && parent == NULL)
        continue;
      me = node_for (graph, index, lean_spec_get_id (spec), spec);
      for (guint k = 0; deps[k] != NULL; k++)
        {
          Edge edge = { 0 };

          LeanSpec *target = resolve (input, by_id, deps[k]);

          edge.from = node_for (graph, index, target != NULL ? lean_spec_get_id (target) : deps[k],
                                target);
          edge.to = me;
          g_array_append_val (graph->edges, edge);
        }
      if (parent != NULL)
        {
          Edge edge = { 0 };

          LeanSpec *target = resolve (input, by_id, parent);

          edge.from = node_for (graph, index, target != NULL ? lean_spec_get_id (target) : parent,
                                target);
          edge.to = me;
          edge.parent = TRUE;
          g_array_append_val (graph->edges, edge);
        }
    }

  for (guint v = 0; v < graph->nodes->len; v++)
    if (g_array_index (graph->nodes, Node, v).missing)
      graph->n_missing++;
  graph->n_isolated = specs->len - (graph->nodes->len - graph->n_missing);

  if (g_task_return_error_if_cancelled (task))
    {
      graph_free (graph);
      return;
    }
  layout_graph (graph);
  g_task_return_pointer (task, graph, (GDestroyNotify) graph_free);
}

/* ------------------------------------------------------------------ */
/* Scrolling                                                           */

static void
configure_adjustments (LeanDependencyView *self)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  double gw = self->graph != NULL ? self->graph->width * self->zoom : 0;
  double gh = self->graph != NULL ? self->graph->height * self->zoom : 0;

  if (self->hadjustment != NULL)
    {
      double upper = MAX (gw, width);

      gtk_adjustment_configure (self->hadjustment,
                                CLAMP (gtk_adjustment_get_value (self->hadjustment), 0, upper - width),
                                0, upper, width * 0.1, width * 0.9, width);
    }
  if (self->vadjustment != NULL)
    {
      double upper = MAX (gh, height);

      gtk_adjustment_configure (self->vadjustment,
                                CLAMP (gtk_adjustment_get_value (self->vadjustment), 0, upper - height),
                                0, upper, height * 0.1, height * 0.9, height);
    }
}

static double
hvalue (LeanDependencyView *self)
{
  return self->hadjustment != NULL ? gtk_adjustment_get_value (self->hadjustment) : 0;
}

static double
vvalue (LeanDependencyView *self)
{
  return self->vadjustment != NULL ? gtk_adjustment_get_value (self->vadjustment) : 0;
}

static void
set_adjustment (LeanDependencyView  *self,
                GtkAdjustment      **slot,
                GtkAdjustment       *adjustment)
{
  if (*slot == adjustment)
    return;
  if (*slot != NULL)
    {
      g_signal_handlers_disconnect_by_func (*slot, gtk_widget_queue_draw, self);
      g_clear_object (slot);
    }
  if (adjustment == NULL)
    adjustment = gtk_adjustment_new (0, 0, 0, 0, 0, 0);
  *slot = g_object_ref_sink (adjustment);
  g_signal_connect_swapped (adjustment, "value-changed", G_CALLBACK (gtk_widget_queue_draw), self);
  configure_adjustments (self);
}

/* Zooms around (@x, @y) in widget coordinates, keeping the point under it. */
static void
zoom_at (LeanDependencyView *self,
         double              zoom,
         double              x,
         double              y)
{
  double gx, gy;

  zoom = CLAMP (zoom, ZOOM_MIN, ZOOM_MAX);
  if (zoom == self->zoom)
    return;
  gx = (hvalue (self) + x) / self->zoom;
  gy = (vvalue (self) + y) / self->zoom;
  self->zoom = zoom;
  configure_adjustments (self);
  if (self->hadjustment != NULL)
    gtk_adjustment_set_value (self->hadjustment, gx * zoom - x);
  if (self->vadjustment != NULL)
    gtk_adjustment_set_value (self->vadjustment, gy * zoom - y);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ------------------------------------------------------------------ */
/* Loading                                                             */

static void
build_graph_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  Graph *graph = g_task_propagate_pointer (G_TASK (result), &error);
  LeanDependencyView *self;

  if (graph == NULL)
    return;
  self = LEAN_DEPENDENCY_VIEW (object);
  g_clear_object (&self->cancellable);
  graph_free (self->graph);
  self->graph = graph;
  g_clear_object (&self->legend);
  drop_tiles (self);
  configure_adjustments (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
relayout (LeanDependencyView *self)
{
  g_autoptr(GTask) task = NULL;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->store == NULL)
    return;
  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, build_graph_cb, NULL);
  g_task_set_source_tag (task, relayout);
  {
    GraphInput *input = g_new0 (GraphInput, 1);

    input->project = g_object_ref (lean_spec_store_get_project (self->store));
    input->specs = lean_spec_store_dup_specs (self->store);
    g_task_set_task_data (task, input, (GDestroyNotify) graph_input_free);
  }
  g_task_run_in_thread (task, build_graph_thread);
}

/* ------------------------------------------------------------------ */
/* Drawing                                                             */

static void
status_color (LeanSpecStatus  status,
              gboolean        dark,
              GdkRGBA        *color)
{
  const char *name;

  switch (status)
    {
    case LEAN_SPEC_STATUS_PLANNED:     name = "#3584e4"; break;
    case LEAN_SPEC_STATUS_IN_PROGRESS: name = "#ff7800"; break;
    case LEAN_SPEC_STATUS_COMPLETE:    name = dark ? "#57e389" : "#2ec27e"; break;
    case LEAN_SPEC_STATUS_ARCHIVED:    name = "#9141ac"; break;
    case LEAN_SPEC_STATUS_DRAFT:
    case LEAN_SPEC_STATUS_NONE:
    default:                           name = "#9a9996"; break;
    }
  gdk_rgba_parse (color, name);
}


#define CHORDS 32

/* The point at @t of the cubic Bezier @p (x1 y1 c1x c1y c2x c2y x2 y2). */
static void
bezier_at (const double p[8],
           double       t,
           double      *x,
           double      *y)
{
  double u = 1 - t;

  *x = u * u * u * p[0] + 3 * u * u * t * p[2] + 3 * u * t * t * p[4] + t * t * t * p[6];
  *y = u * u * u * p[1] + 3 * u * u * t * p[3] + 3 * u * t * t * p[5] + t * t * t * p[7];
}

/* One de Casteljau split of the curve (@x, @y) at @t: its first part into
 * (@ax, @ay), its second into (@bx, @by). */
static void
bezier_split (const double x[4],
              const double y[4],
              double       t,
              double       ax[4],
              double       ay[4],
              double       bx[4],
              double       by[4])
{
  double qx[4], qy[4];

  memcpy (qx, x, sizeof qx);
  memcpy (qy, y, sizeof qy);
  for (int level = 0; level < 4; level++)
    {
      ax[level] = qx[0];
      ay[level] = qy[0];
      bx[3 - level] = qx[3 - level];
      by[3 - level] = qy[3 - level];
      for (int i = 0; i < 3 - level; i++)
        {
          qx[i] += (qx[i + 1] - qx[i]) * t;
          qy[i] += (qy[i + 1] - qy[i]) * t;
        }
    }
}

/* @p becomes its own part from @t0 to @t1: split at t1 and keep the first
 * part, split that at t0 / t1 and keep the second. */
static void
bezier_part (double p[8],
             double t0,
             double t1)
{
  double x[4] = { p[0], p[2], p[4], p[6] };
  double y[4] = { p[1], p[3], p[5], p[7] };
  double ax[4], ay[4], bx[4], by[4];

  bezier_split (x, y, t1, ax, ay, bx, by);
  bezier_split (ax, ay, t1 > 0 ? t0 / t1 : 0, x, y, bx, by);
  for (int i = 0; i < 4; i++)
    {
      p[2 * i] = bx[i];
      p[2 * i + 1] = by[i];
    }
}

/* Which part of the curve @p passes through @r: chords follow the curve
 * within a pixel or two, each tested by its own box. FALSE when none
 * does; else the range of t and the length of the curve before it (for
 * the dash phase). An edge between far-apart layers has a control-point
 * box as large as the graph: on 5,000 specs some 1,400 curves crossed the
 * screen, and cairo strokes the whole of a curve even where it is
 * clipped, so only the part on screen is stroked. */
static gboolean
curve_range (const graphene_rect_t *r,
             const double           p[8],
             double                *t0,
             double                *t1,
             double                *before)
{
  double px = p[0], py = p[1];
  double length = 0;
  int first = -1, last = -1;

  *before = 0;
  for (int i = 1; i <= CHORDS; i++)
    {
      double x, y;

      bezier_at (p, (double) i / CHORDS, &x, &y);
      if (MAX (px, x) >= r->origin.x && MIN (px, x) <= r->origin.x + r->size.width &&
          MAX (py, y) >= r->origin.y && MIN (py, y) <= r->origin.y + r->size.height)
        {
          if (first < 0)
            {
              first = i - 1;
              *before = length;
            }
          last = i;
        }
      length += hypot (x - px, y - py);
      px = x;
      py = y;
    }
  if (first < 0)
    return FALSE;
  *t0 = (double) first / CHORDS;
  *t1 = (double) last / CHORDS;
  return TRUE;
}

typedef enum
{
  EDGE_DEPENDS,
  EDGE_PARENT,
  EDGE_CYCLE,
  N_EDGE_KINDS,
} EdgeKind;

/* An edge as drawn: its curve, the box of its control points and its
 * kind. Plain numbers, so tiles are drawn from them on worker threads
 * while the graph's nodes stay the main thread's. */
typedef struct
{
  double   p[8];             /* x1 y1 c1x c1y c2x c2y x2 y2 */
  graphene_rect_t box;
  EdgeKind kind;
} EdgeShape;

static GArray *
edge_shapes (Graph *graph)
{
  GArray *shapes = g_array_sized_new (FALSE, FALSE, sizeof (EdgeShape), graph->edges->len);

  for (guint e = 0; e < graph->edges->len; e++)
    {
      Edge *edge = &g_array_index (graph->edges, Edge, e);
      Node *from = &g_array_index (graph->nodes, Node, edge->from);
      Node *to = &g_array_index (graph->nodes, Node, edge->to);
      double x1 = from->x + NODE_W, y1 = from->y + NODE_H / 2.0;
      double x2 = to->x, y2 = to->y + NODE_H / 2.0;
      double bend = MAX (40, ABS (x2 - x1) / 2);
      double c1x = x1 + bend, c1y = y1, c2x = x2 - bend, c2y = y2;
      double left, right, top, bottom;
      EdgeShape shape;

      /* An edge closing a cycle points backwards (or at its own box): an
       * arc over the boxes, from top to top, instead of a line through
       * them. */
      if (edge->cycle)
        {
          double lift = 30 + ABS (x2 - x1) * 0.15 + (edge->from == edge->to ? 20 : 0);

          x1 = from->x + NODE_W * (edge->from == edge->to ? 0.7 : 0.5);
          y1 = from->y;
          x2 = to->x + NODE_W * (edge->from == edge->to ? 0.3 : 0.5);
          y2 = to->y;
          c1x = x1;
          c1y = MIN (y1, y2) - lift;
          c2x = x2;
          c2y = c1y;
        }
      /* A Bezier curve lies within the box of its control points. */
      left = MIN (MIN (x1, x2), MIN (c1x, c2x));
      right = MAX (MAX (x1, x2), MAX (c1x, c2x));
      top = MIN (MIN (y1, y2), MIN (c1y, c2y));
      bottom = MAX (MAX (y1, y2), MAX (c1y, c2y));
      shape = (EdgeShape) {
        .p = { x1, y1, c1x, c1y, c2x, c2y, x2, y2 },
        .box = GRAPHENE_RECT_INIT (left, top, right - left, bottom - top),
        .kind = edge->cycle ? EDGE_CYCLE : edge->parent ? EDGE_PARENT : EDGE_DEPENDS,
      };
      g_array_append_val (shapes, shape);
    }
  return shapes;
}

/* The edges crossing @area (graph coordinates) into @cr, by kind, each
 * curve cut to its part in @area and stroked on its own (one path of a
 * thousand crossing curves is slower still to fill); the arrowheads of a
 * kind filled as one path. Safe on any thread. */
static void
draw_edges (GArray                *shapes,
            cairo_t               *cr,
            const graphene_rect_t *area,
            gboolean               dark,
            const GdkRGBA         *fg)
{
  static const double dash[] = { 5, 4 };
  graphene_rect_t margin;
  GdkRGBA red;

  gdk_rgba_parse (&red, dark ? "#ff7b63" : "#e01b24");
  cairo_set_line_width (cr, 1.5);
  /* The chords stray from the curve by a pixel or two; an arrowhead
   * reaches 8 px from its end. */
  graphene_rect_inset_r (area, -12, -12, &margin);

  for (EdgeKind kind = EDGE_DEPENDS; kind < N_EDGE_KINDS; kind++)
    {
      if (kind == EDGE_CYCLE)
        gdk_cairo_set_source_rgba (cr, &red);
      else
        cairo_set_source_rgba (cr, fg->red, fg->green, fg->blue, kind == EDGE_PARENT ? 0.3 : 0.45);
      for (guint e = 0; e < shapes->len; e++)
        {
          EdgeShape *shape = &g_array_index (shapes, EdgeShape, e);
          double p[8], t0, t1, before;

          if (shape->kind != kind || !graphene_rect_intersection (&shape->box, &margin, NULL) ||
              !curve_range (&margin, shape->p, &t0, &t1, &before))
            continue;
          memcpy (p, shape->p, sizeof p);
          if (t0 > 0 || t1 < 1)
            bezier_part (p, t0, t1);
          /* Dashes keep their place along the whole curve. */
          cairo_set_dash (cr, dash, kind == EDGE_DEPENDS ? 0 : 2, before);
          cairo_move_to (cr, p[0], p[1]);
          cairo_curve_to (cr, p[2], p[3], p[4], p[5], p[6], p[7]);
          cairo_stroke (cr);
        }

      /* The arrowheads at the dependent ends: into the box's left side,
       * or down onto its top for a cycle's arc. */
      cairo_set_dash (cr, NULL, 0, 0);
      for (guint e = 0; e < shapes->len; e++)
        {
          EdgeShape *shape = &g_array_index (shapes, EdgeShape, e);
          double x = shape->p[6], y = shape->p[7];

          if (shape->kind != kind || !graphene_rect_contains_point (&margin, &GRAPHENE_POINT_INIT (x, y)))
            continue;
          cairo_move_to (cr, x, y);
          if (kind == EDGE_CYCLE)
            {
              cairo_line_to (cr, x - 4, y - 8);
              cairo_line_to (cr, x + 4, y - 8);
            }
          else
            {
              cairo_line_to (cr, x - 8, y - 4);
              cairo_line_to (cr, x - 8, y + 4);
            }
          cairo_close_path (cr);
        }
      cairo_fill (cr);
    }
}

/* ------------------------------------------------------------------ */
/* Edge tiles                                                          */

typedef struct
{
  GArray  *shapes;
  int      tx, ty, scale;
  double   zoom;
  gboolean dark;
  GdkRGBA  fg;
  guint    generation;
} TileJob;

/* A tile's edges, twice over without a copy: a texture of the pixels for
 * GL renderers (uploaded once, kept on the GPU) and the cairo surface
 * they live in for the cairo renderer, which would otherwise copy a
 * texture's pixels into a new surface on every frame it is drawn. */
typedef struct
{
  GdkTexture      *texture;
  cairo_surface_t *surface;
} Tile;

static void
tile_free (Tile *tile)
{
  g_object_unref (tile->texture);
  cairo_surface_destroy (tile->surface);
  g_free (tile);
}

static void
tile_job_free (TileJob *job)
{
  g_array_unref (job->shapes);
  g_free (job);
}

static gpointer
tile_key (int tx,
          int ty)
{
  /* Tiles start at 0: the graph has no negative coordinates. */
  return GUINT_TO_POINTER (((guint) tx << 16) | ((guint) ty & 0xffff));
}

static void
drop_tiles (LeanDependencyView *self)
{
  self->tile_generation++;
  g_hash_table_remove_all (self->tiles);
  g_hash_table_remove_all (self->pending_tiles);
  g_queue_clear (self->tile_order);
  g_clear_pointer (&self->shapes, g_array_unref);
}

static void
draw_tile_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  TileJob *job = task_data;
  int size = TILE_SIZE * job->scale;
  double unit = TILE_SIZE / job->zoom;   /* the tile's side in graph units */
  graphene_rect_t area = GRAPHENE_RECT_INIT (job->tx * unit, job->ty * unit, unit, unit);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, size, size);
  cairo_t *cr = cairo_create (surface);

  cairo_scale (cr, job->scale * job->zoom, job->scale * job->zoom);
  cairo_translate (cr, -area.origin.x, -area.origin.y);
  draw_edges (job->shapes, cr, &area, job->dark, &job->fg);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  g_task_return_pointer (task, surface, (GDestroyNotify) cairo_surface_destroy);
}

static void
draw_tile_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  LeanDependencyView *self = LEAN_DEPENDENCY_VIEW (object);
  TileJob *job = g_task_get_task_data (G_TASK (result));
  cairo_surface_t *surface = g_task_propagate_pointer (G_TASK (result), NULL);
  gpointer key = tile_key (job->tx, job->ty);
  g_autoptr(GBytes) bytes = NULL;
  Tile *tile;
  int size, stride;

  if (surface == NULL)
    return;
  if (job->generation != self->tile_generation)
    {
      cairo_surface_destroy (surface);
      return;
    }
  g_hash_table_remove (self->pending_tiles, key);
  size = cairo_image_surface_get_width (surface);
  stride = cairo_image_surface_get_stride (surface);
  /* Cairo's ARGB32 is premultiplied native-endian: GDK_MEMORY_DEFAULT. */
  bytes = g_bytes_new_with_free_func (cairo_image_surface_get_data (surface), (gsize) stride * size,
                                      (GDestroyNotify) cairo_surface_destroy,
                                      cairo_surface_reference (surface));
  tile = g_new0 (Tile, 1);
  tile->texture = gdk_memory_texture_new (size, size, GDK_MEMORY_DEFAULT, bytes, stride);
  tile->surface = surface;
  g_hash_table_insert (self->tiles, key, tile);
  g_queue_push_head (self->tile_order, key);
  while (g_queue_get_length (self->tile_order) > MAX_TILES)
    g_hash_table_remove (self->tiles, g_queue_pop_tail (self->tile_order));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
request_tile (LeanDependencyView *self,
              int                 tx,
              int                 ty,
              int                 scale)
{
  g_autoptr(GTask) task = NULL;
  TileJob *job;

  if (g_hash_table_contains (self->pending_tiles, tile_key (tx, ty)))
    return;
  /* One core stays the main thread's: more tiles at once made frames
   * wait for the CPU. A tile that lands queues a draw, which asks for the
   * next. */
  if (g_hash_table_size (self->pending_tiles) >= (guint) MAX (1, (int) g_get_num_processors () - 1))
    return;
  if (self->shapes == NULL)
    self->shapes = edge_shapes (self->graph);
  job = g_new0 (TileJob, 1);
  *job = (TileJob) { g_array_ref (self->shapes), tx, ty, scale, self->zoom, self->tiles_dark,
                     self->tiles_fg, self->tile_generation };
  g_hash_table_add (self->pending_tiles, tile_key (tx, ty));
  task = g_task_new (self, NULL, draw_tile_cb, NULL);
  g_task_set_source_tag (task, request_tile);
  g_task_set_task_data (task, job, (GDestroyNotify) tile_job_free);
  g_task_run_in_thread (task, draw_tile_thread);
}

/* The edges on screen from tiles of the zoomed graph, drawn on worker
 * threads: on 5,000 specs over a thousand curves cross a screen, and
 * stroking them for every frame of a pan took the main thread 30-200 ms.
 * A tile not drawn yet shows no edges until it is. */
static void
snapshot_edges (LeanDependencyView *self,
                GtkSnapshot        *snapshot,
                int                 width,
                int                 height,
                gboolean            dark,
                const GdkRGBA      *fg)
{
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  double h = hvalue (self), v = vvalue (self);
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));
  gboolean cairo_renderer = native != NULL && GSK_IS_CAIRO_RENDERER (gtk_native_get_renderer (native));
  cairo_t *cr = NULL;

  self->tiles_missing = 0;

  if (self->tiles_zoom != self->zoom || self->tiles_scale != scale ||
      self->tiles_dark != dark || !gdk_rgba_equal (&self->tiles_fg, fg))
    {
      drop_tiles (self);
      self->tiles_zoom = self->zoom;
      self->tiles_scale = scale;
      self->tiles_dark = dark;
      self->tiles_fg = *fg;
    }
  for (int ty = MAX (0, (int) floor (v / TILE_SIZE)); ty * TILE_SIZE < v + height; ty++)
    for (int tx = MAX (0, (int) floor (h / TILE_SIZE)); tx * TILE_SIZE < h + width; tx++)
      {
        gpointer key = tile_key (tx, ty);
        Tile *tile = g_hash_table_lookup (self->tiles, key);
        graphene_rect_t bounds = GRAPHENE_RECT_INIT (tx * TILE_SIZE, ty * TILE_SIZE,
                                                     TILE_SIZE, TILE_SIZE);

        if (tile == NULL)
          {
            self->tiles_missing++;
            request_tile (self, tx, ty, scale);
            continue;
          }
        g_queue_remove (self->tile_order, key);
        g_queue_push_head (self->tile_order, key);
        if (cairo_renderer)
          {
            /* GTK records these paints and replays them onto the window:
             * the tiles' surfaces are read in place. One node for the
             * screen, because each node's edges are blended in on their
             * own and one node a tile showed its seams. */
            if (cr == NULL)
              cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (h, v, width, height));
            cairo_save (cr);
            cairo_translate (cr, bounds.origin.x, bounds.origin.y);
            cairo_scale (cr, 1.0 / scale, 1.0 / scale);
            cairo_set_source_surface (cr, tile->surface, 0, 0);
            cairo_paint (cr);
            cairo_restore (cr);
          }
        else
          gtk_snapshot_append_texture (snapshot, tile->texture, &bounds);
      }
  g_clear_pointer (&cr, cairo_destroy);
}

static void
draw_node (LeanDependencyView *self,
           GtkSnapshot        *snapshot,
           Node               *node,
           gboolean            dark,
           const GdkRGBA      *fg)
{
  GskRoundedRect box;
  GdkRGBA bg, bar, border;
  float widths[4] = { 1, 1, 1, 1 };

  gsk_rounded_rect_init_from_rect (&box, &GRAPHENE_RECT_INIT (node->x, node->y, NODE_W, NODE_H), 6);
  gdk_rgba_parse (&bg, dark ? "#303030" : "#ffffff");
  status_color (node->status, dark, &bar);
  if (node->missing || node->in_cycle)
    {
      gdk_rgba_parse (&border, dark ? "#ff7b63" : "#e01b24");
      widths[0] = widths[1] = widths[2] = widths[3] = 2;
    }
  else
    border = (GdkRGBA) { fg->red, fg->green, fg->blue, 0.18 };

  gtk_snapshot_push_rounded_clip (snapshot, &box);
  gtk_snapshot_append_color (snapshot, &bg, &box.bounds);
  if (!node->missing)
    gtk_snapshot_append_color (snapshot, &bar, &GRAPHENE_RECT_INIT (node->x, node->y, 5, NODE_H));
  gtk_snapshot_pop (snapshot);
  gtk_snapshot_append_border (snapshot, &box, widths,
                              (GdkRGBA[]) { border, border, border, border });

  if (node->layout == NULL)
    {
      g_autofree char *text = node->missing
                              /* Translators: a dependency target that is not a spec. */
                              ? g_strdup_printf (_("%s (missing)"), node->id)
                              : g_strdup_printf ("%03u  %s", node->number, node->title);

      node->layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
      pango_layout_set_width (node->layout, (NODE_W - 20) * PANGO_SCALE);
      pango_layout_set_ellipsize (node->layout, PANGO_ELLIPSIZE_END);
      pango_layout_set_single_paragraph_mode (node->layout, TRUE);
    }
  {
    int h;

    pango_layout_get_pixel_size (node->layout, NULL, &h);
    gtk_snapshot_save (snapshot);
    gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (node->x + 12, node->y + (NODE_H - h) / 2.0));
    gtk_snapshot_append_layout (snapshot, node->layout, fg);
    gtk_snapshot_restore (snapshot);
  }
}

static void
draw_legend (LeanDependencyView *self,
             GtkSnapshot        *snapshot,
             const GdkRGBA      *fg)
{
  Graph *graph = self->graph;
  GdkRGBA dim = *fg;

  if (self->legend == NULL)
    {
      GString *text = g_string_new (NULL);

      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u spec with relations",
                                                 "%u specs with relations",
                                                 graph->nodes->len - graph->n_missing),
                              graph->nodes->len - graph->n_missing);
      g_string_append (text, " · ");
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u without, not shown",
                                                 "%u without, not shown", graph->n_isolated),
                              graph->n_isolated);
      if (graph->n_cycle_edges > 0)
        {
          g_string_append (text, " · ");
          g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u relation closes a cycle",
                                                     "%u relations close a cycle",
                                                     graph->n_cycle_edges),
                                  graph->n_cycle_edges);
        }
      if (graph->n_missing > 0)
        {
          g_string_append (text, " · ");
          g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u missing target",
                                                     "%u missing targets", graph->n_missing),
                                  graph->n_missing);
        }
      self->legend = gtk_widget_create_pango_layout (GTK_WIDGET (self), text->str);
      g_string_free (text, TRUE);
    }
  dim.alpha *= 0.7;
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (MARGIN, MARGIN / 2.0));
  gtk_snapshot_append_layout (snapshot, self->legend, &dim);
  gtk_snapshot_restore (snapshot);
}

static void
lean_dependency_view_snapshot (GtkWidget   *widget,
                               GtkSnapshot *snapshot)
{
  LeanDependencyView *self = LEAN_DEPENDENCY_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  graphene_rect_t visible;
  GdkRGBA fg;

  if (self->graph == NULL)
    return;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  G_GNUC_END_IGNORE_DEPRECATIONS

  /* What is on screen, in graph coordinates. */
  visible = GRAPHENE_RECT_INIT (hvalue (self) / self->zoom, vvalue (self) / self->zoom,
                                width / self->zoom, height / self->zoom);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (-hvalue (self), -vvalue (self)));
  snapshot_edges (self, snapshot, width, height, dark, &fg);
  gtk_snapshot_scale (snapshot, self->zoom, self->zoom);

  for (guint v = 0; v < self->graph->nodes->len; v++)
    {
      Node *node = &g_array_index (self->graph->nodes, Node, v);
      graphene_rect_t rect = GRAPHENE_RECT_INIT (node->x, node->y, NODE_W, NODE_H);

      if (graphene_rect_intersection (&rect, &visible, NULL))
        draw_node (self, snapshot, node, dark, &fg);
    }
  draw_legend (self, snapshot, &fg);
  gtk_snapshot_restore (snapshot);
}

static void
lean_dependency_view_size_allocate (GtkWidget *widget,
                                    int        width,
                                    int        height,
                                    int        baseline)
{
  configure_adjustments (LEAN_DEPENDENCY_VIEW (widget));
}

static void
lean_dependency_view_map (GtkWidget *widget)
{
  LeanDependencyView *self = LEAN_DEPENDENCY_VIEW (widget);

  GTK_WIDGET_CLASS (lean_dependency_view_parent_class)->map (widget);
  lean_view_refresh_mapped (self->refresh);
}

/* ------------------------------------------------------------------ */
/* Input                                                               */

static Node *
node_at (LeanDependencyView *self,
         double              x,
         double              y)
{
  double gx = (hvalue (self) + x) / self->zoom;
  double gy = (vvalue (self) + y) / self->zoom;

  if (self->graph == NULL)
    return NULL;
  for (guint v = 0; v < self->graph->nodes->len; v++)
    {
      Node *node = &g_array_index (self->graph->nodes, Node, v);

      if (gx >= node->x && gx < node->x + NODE_W && gy >= node->y && gy < node->y + NODE_H)
        return node;
    }
  return NULL;
}

static void
on_click_released (GtkGestureClick    *gesture,
                   int                 n_press,
                   double              x,
                   double              y,
                   LeanDependencyView *self)
{
  Node *node = node_at (self, x, y);

  if (self->panned)
    return;
  if (node != NULL && !node->missing)
    g_signal_emit (self, signals[OPEN_SPEC], 0, node->id);
}

static void
on_motion (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           LeanDependencyView       *self)
{
  Node *node = node_at (self, x, y);

  gtk_widget_set_cursor_from_name (GTK_WIDGET (self),
                                   node != NULL && !node->missing ? "pointer" : NULL);
}

static void
on_pan_begin (GtkGestureDrag     *gesture,
              double              x,
              double              y,
              LeanDependencyView *self)
{
  self->pan_h = hvalue (self);
  self->pan_v = vvalue (self);
  self->panned = FALSE;
}

static void
on_pan_update (GtkGestureDrag     *gesture,
               double              dx,
               double              dy,
               LeanDependencyView *self)
{
  /* A press that barely moves is a click on a box. */
  if (dx * dx + dy * dy < 64 &&
      gtk_gesture_get_sequence_state (GTK_GESTURE (gesture),
                                      gtk_gesture_single_get_current_sequence (GTK_GESTURE_SINGLE (gesture)))
      != GTK_EVENT_SEQUENCE_CLAIMED)
    return;
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  self->panned = TRUE;
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grabbing");
  if (self->hadjustment != NULL)
    gtk_adjustment_set_value (self->hadjustment, self->pan_h - dx);
  if (self->vadjustment != NULL)
    gtk_adjustment_set_value (self->vadjustment, self->pan_v - dy);
}

static void
on_pan_end (GtkGestureDrag     *gesture,
            double              dx,
            double              dy,
            LeanDependencyView *self)
{
  gtk_widget_set_cursor (GTK_WIDGET (self), NULL);
}

static gboolean
on_scroll (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           LeanDependencyView       *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));
  double x = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
  double y = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;
  GdkEvent *event = gtk_event_controller_get_current_event (GTK_EVENT_CONTROLLER (controller));

  if ((state & GDK_CONTROL_MASK) == 0)
    return FALSE;
  if (event != NULL)
    {
      double ex, ey;
      GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));
      graphene_point_t p;

      if (gdk_event_get_position (event, &ex, &ey) && native != NULL &&
          gtk_widget_compute_point (GTK_WIDGET (native), GTK_WIDGET (self),
                                    &GRAPHENE_POINT_INIT (ex, ey), &p))
        {
          x = p.x;
          y = p.y;
        }
    }
  zoom_at (self, self->zoom * (dy < 0 ? 1.15 : 1 / 1.15), x, y);
  return TRUE;
}

static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  LeanDependencyView *self = LEAN_DEPENDENCY_VIEW (widget);
  double x = gtk_widget_get_width (widget) / 2.0;
  double y = gtk_widget_get_height (widget) / 2.0;

  if (g_str_equal (action_name, "graph.zoom-in"))
    zoom_at (self, self->zoom * 1.25, x, y);
  else if (g_str_equal (action_name, "graph.zoom-out"))
    zoom_at (self, self->zoom / 1.25, x, y);
  else
    zoom_at (self, 1.0, x, y);
}

/* ------------------------------------------------------------------ */
/* API                                                                 */

GtkWidget *
lean_dependency_view_new (void)
{
  return g_object_new (LEAN_TYPE_DEPENDENCY_VIEW, NULL);
}

void
lean_dependency_view_set_store (LeanDependencyView *self,
                                LeanSpecStore      *store)
{
  g_return_if_fail (LEAN_IS_DEPENDENCY_VIEW (self));

  if (self->store == store)
    return;
  g_set_object (&self->store, store);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->graph, graph_free);
  g_clear_object (&self->legend);
  drop_tiles (self);
  configure_adjustments (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  lean_view_refresh_set_store (self->refresh, store);
}

gboolean
_lean_dependency_view_is_ready (LeanDependencyView *self)
{
  return self->graph != NULL && self->cancellable == NULL && !lean_view_refresh_pending (self->refresh);
}

guint
_lean_dependency_view_get_pending_tiles (LeanDependencyView *self)
{
  return self->tiles_missing + g_hash_table_size (self->pending_tiles);
}

static Node *
find_node (LeanDependencyView *self,
           const char         *id)
{
  for (guint v = 0; self->graph != NULL && v < self->graph->nodes->len; v++)
    {
      Node *node = &g_array_index (self->graph->nodes, Node, v);

      if (g_str_equal (node->id, id))
        return node;
    }
  return NULL;
}

gboolean
_lean_dependency_view_get_node_center (LeanDependencyView *self,
                                       const char         *id,
                                       double             *x,
                                       double             *y)
{
  Node *node = find_node (self, id);

  if (node == NULL)
    return FALSE;
  *x = (node->x + NODE_W / 2.0) * self->zoom - hvalue (self);
  *y = (node->y + NODE_H / 2.0) * self->zoom - vvalue (self);
  return *x >= 0 && *y >= 0 && *x < gtk_widget_get_width (GTK_WIDGET (self)) &&
         *y < gtk_widget_get_height (GTK_WIDGET (self));
}

guint
_lean_dependency_view_get_n_nodes (LeanDependencyView *self)
{
  return self->graph != NULL ? self->graph->nodes->len : 0;
}

guint
_lean_dependency_view_get_n_cycle_edges (LeanDependencyView *self)
{
  return self->graph != NULL ? self->graph->n_cycle_edges : 0;
}

void
_lean_dependency_view_scroll_to (LeanDependencyView *self,
                                 const char         *id)
{
  Node *node = find_node (self, id);

  if (node == NULL)
    return;
  if (self->hadjustment != NULL)
    gtk_adjustment_set_value (self->hadjustment,
                              node->x * self->zoom - gtk_widget_get_width (GTK_WIDGET (self)) / 3.0);
  if (self->vadjustment != NULL)
    gtk_adjustment_set_value (self->vadjustment,
                              node->y * self->zoom - gtk_widget_get_height (GTK_WIDGET (self)) / 3.0);
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */

static void
lean_dependency_view_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  LeanDependencyView *self = LEAN_DEPENDENCY_VIEW (object);

  switch (prop_id)
    {
    case PROP_HADJUSTMENT:
      g_value_set_object (value, self->hadjustment);
      break;
    case PROP_VADJUSTMENT:
      g_value_set_object (value, self->vadjustment);
      break;
    case PROP_HSCROLL_POLICY:
      g_value_set_enum (value, self->hscroll_policy);
      break;
    case PROP_VSCROLL_POLICY:
      g_value_set_enum (value, self->vscroll_policy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_dependency_view_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  LeanDependencyView *self = LEAN_DEPENDENCY_VIEW (object);

  switch (prop_id)
    {
    case PROP_HADJUSTMENT:
      set_adjustment (self, &self->hadjustment, g_value_get_object (value));
      break;
    case PROP_VADJUSTMENT:
      set_adjustment (self, &self->vadjustment, g_value_get_object (value));
      break;
    case PROP_HSCROLL_POLICY:
      self->hscroll_policy = g_value_get_enum (value);
      break;
    case PROP_VSCROLL_POLICY:
      self->vscroll_policy = g_value_get_enum (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_dependency_view_dispose (GObject *object)
{
  LeanDependencyView *self = LEAN_DEPENDENCY_VIEW (object);

  g_clear_pointer (&self->refresh, lean_view_refresh_free);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_pointer (&self->graph, graph_free);
  g_clear_object (&self->legend);
  if (self->tiles != NULL)
    drop_tiles (self);
  g_clear_pointer (&self->tiles, g_hash_table_unref);
  g_clear_pointer (&self->pending_tiles, g_hash_table_unref);
  if (self->tile_order != NULL)
    g_queue_free (g_steal_pointer (&self->tile_order));
  if (self->hadjustment != NULL)
    g_signal_handlers_disconnect_by_func (self->hadjustment, gtk_widget_queue_draw, self);
  if (self->vadjustment != NULL)
    g_signal_handlers_disconnect_by_func (self->vadjustment, gtk_widget_queue_draw, self);
  g_clear_object (&self->hadjustment);
  g_clear_object (&self->vadjustment);

  G_OBJECT_CLASS (lean_dependency_view_parent_class)->dispose (object);
}

static void
lean_dependency_view_scrollable_init (GtkScrollableInterface *iface)
{
}

static void
lean_dependency_view_class_init (LeanDependencyViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lean_dependency_view_dispose;
  object_class->get_property = lean_dependency_view_get_property;
  object_class->set_property = lean_dependency_view_set_property;
  widget_class->snapshot = lean_dependency_view_snapshot;
  widget_class->size_allocate = lean_dependency_view_size_allocate;
  widget_class->map = lean_dependency_view_map;

  g_object_class_override_property (object_class, PROP_HADJUSTMENT, "hadjustment");
  g_object_class_override_property (object_class, PROP_VADJUSTMENT, "vadjustment");
  g_object_class_override_property (object_class, PROP_HSCROLL_POLICY, "hscroll-policy");
  g_object_class_override_property (object_class, PROP_VSCROLL_POLICY, "vscroll-policy");

  signals[OPEN_SPEC] =
    g_signal_new ("open-spec", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_install_action (widget_class, "graph.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "graph.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "graph.zoom-reset", NULL, zoom_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK, "graph.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK, "graph.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK, "graph.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "graph.zoom-reset", NULL);

  gtk_widget_class_set_css_name (widget_class, "dependencygraph");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
lean_dependency_view_init (LeanDependencyView *self)
{
  GtkGesture *click = gtk_gesture_click_new ();
  GtkGesture *pan = gtk_gesture_drag_new ();
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);

  self->zoom = 1.0;
  self->tiles = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) tile_free);
  self->pending_tiles = g_hash_table_new (NULL, NULL);
  self->tile_order = g_queue_new ();
  self->refresh = lean_view_refresh_new (GTK_WIDGET (self), (LeanViewRefreshFunc) relayout);
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);

  g_signal_connect (click, "released", G_CALLBACK (on_click_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  g_signal_connect (pan, "drag-begin", G_CALLBACK (on_pan_begin), self);
  g_signal_connect (pan, "drag-update", G_CALLBACK (on_pan_update), self);
  g_signal_connect (pan, "drag-end", G_CALLBACK (on_pan_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (pan));
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  /* Capture: Ctrl+scroll zooms before the scrolled window scrolls. */
  gtk_event_controller_set_propagation_phase (scroll, GTK_PHASE_CAPTURE);
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);
}
