/*
 * corral_geometry.h — plane geometry for Corral plugins that find and cut out rotated boxes
 * (text detection, document crops): convex hull, minimum-area rectangle, quad ordering,
 * perspective transform. Freestanding like corral.h (include corral.h first);
 * no allocation: callers pass the buffers.
 *
 * Coordinates are image coordinates: x to the right, y DOWN. "Clockwise" is as seen on the
 * screen: top-left, top-right, bottom-right, bottom-left. Sums and products run in double so
 * that results do not depend on the order of float roundings beyond the last step.
 */
#ifndef CORRAL_GEOMETRY_H
#define CORRAL_GEOMETRY_H

#include "corral.h"

typedef struct corral_point {
    float x, y;
} corral_point;

/* A rectangle at any angle: its centre, the unit vector (ux, uy) along its `width` side, and
 * its side lengths; the `height` side runs along (-uy, ux). */
typedef struct corral_rotated_rect {
    double cx, cy;
    double ux, uy;
    double width, height;
} corral_rotated_rect;

static inline double corral_sqrt(double v) {
    return v > 0 ? __builtin_sqrt(v) : 0; /* the wasm f64.sqrt instruction: exact, no libm */
}

static inline double corral__cross(corral_point o, corral_point a, corral_point b) {
    return ((double)a.x - o.x) * ((double)b.y - o.y) - ((double)a.y - o.y) * ((double)b.x - o.x);
}

static inline int corral__point_before(corral_point a, corral_point b) {
    return a.x < b.x || (a.x == b.x && a.y < b.y);
}

/* Sorts points by x, then y (heap sort: in place, O(n log n), no recursion). */
static inline void corral_points_sort(corral_point *p, int32_t n) {
    for (int32_t start = n / 2 - 1, end = n; end > 1;) {
        int32_t root;
        if (start >= 0) root = start--;
        else {
            end--;
            corral_point t = p[0]; p[0] = p[end]; p[end] = t;
            root = 0;
        }
        for (int32_t child; (child = 2 * root + 1) < end; root = child) {
            if (child + 1 < end && corral__point_before(p[child], p[child + 1])) child++;
            if (!corral__point_before(p[root], p[child])) break;
            corral_point t = p[root]; p[root] = p[child]; p[child] = t;
        }
    }
}

/* The convex hull of p[0..n) into hull (room for n + 1 points), by Andrew's monotone chain.
 * Sorts p in place. Returns the number of hull points (collinear points left out); the hull
 * runs counter-clockwise in y-up terms, i.e. clockwise on the screen. n <= 2 copies the
 * distinct points. */
static inline int32_t corral_convex_hull(corral_point *p, int32_t n, corral_point *hull) {
    corral_points_sort(p, n);
    int32_t k = 0;
    for (int32_t i = 0; i < n; i++) { /* lower chain */
        if (i > 0 && p[i].x == p[i - 1].x && p[i].y == p[i - 1].y) continue;
        while (k >= 2 && corral__cross(hull[k - 2], hull[k - 1], p[i]) <= 0) k--;
        hull[k++] = p[i];
    }
    for (int32_t i = n - 2, lower = k + 1; i >= 0; i--) { /* upper chain */
        if (p[i].x == p[i + 1].x && p[i].y == p[i + 1].y) continue;
        while (k >= lower && corral__cross(hull[k - 2], hull[k - 1], p[i]) <= 0) k--;
        hull[k++] = p[i];
    }
    return k > 1 ? k - 1 : k; /* the last point repeats the first */
}

/* The smallest-area rectangle holding the convex polygon hull[0..n) (as corral_convex_hull
 * gives it). One of its sides lies on a hull edge, so each edge is tried (O(n²), fine for the
 * few hundred points of a text region's hull). Ties keep the first edge, so the result is
 * deterministic. A single point or a segment gives a rectangle with zero height. */
static inline corral_rotated_rect corral_min_area_rect(const corral_point *hull, int32_t n) {
    corral_rotated_rect best = {0, 0, 1, 0, 0, 0};
    if (n <= 0) return best;
    best.cx = hull[0].x;
    best.cy = hull[0].y;
    double best_area = -1;
    for (int32_t i = 0; i < n; i++) {
        corral_point a = hull[i], b = hull[(i + 1) % n];
        double ex = (double)b.x - a.x, ey = (double)b.y - a.y, len = corral_sqrt(ex * ex + ey * ey);
        if (len == 0) continue;
        ex /= len;
        ey /= len;
        double umin = 0, umax = 0, vmin = 0, vmax = 0;
        for (int32_t j = 0; j < n; j++) {
            double dx = (double)hull[j].x - a.x, dy = (double)hull[j].y - a.y;
            double u = dx * ex + dy * ey, v = -dx * ey + dy * ex;
            if (u < umin) umin = u;
            if (u > umax) umax = u;
            if (v < vmin) vmin = v;
            if (v > vmax) vmax = v;
        }
        double area = (umax - umin) * (vmax - vmin);
        if (best_area >= 0 && area >= best_area) continue;
        best_area = area;
        double cu = (umin + umax) / 2, cv = (vmin + vmax) / 2;
        best.cx = a.x + cu * ex - cv * ey;
        best.cy = a.y + cu * ey + cv * ex;
        best.ux = ex;
        best.uy = ey;
        best.width = umax - umin;
        best.height = vmax - vmin;
    }
    return best;
}

/* The rectangle grown by d on every side (d < 0 shrinks it, never below zero). */
static inline corral_rotated_rect corral_rect_grow(corral_rotated_rect r, double d) {
    r.width = r.width + 2 * d > 0 ? r.width + 2 * d : 0;
    r.height = r.height + 2 * d > 0 ? r.height + 2 * d : 0;
    return r;
}

/* Orders a quad's corners clockwise from the top-left: the two with the smaller x are the left
 * pair (the upper of them is top-left), the other two the right pair (the upper is top-right).
 * This is how PaddleOCR orders a detected box, and it stays stable for boxes tilted below 45°. */
static inline void corral_quad_order(corral_point q[4]) {
    for (int i = 1; i < 4; i++) /* insertion sort by x: stable, so equal x keep their order */
        for (int j = i; j > 0 && q[j].x < q[j - 1].x; j--) {
            corral_point t = q[j]; q[j] = q[j - 1]; q[j - 1] = t;
        }
    corral_point tl = q[0].y <= q[1].y ? q[0] : q[1], bl = q[0].y <= q[1].y ? q[1] : q[0];
    corral_point tr = q[2].y <= q[3].y ? q[2] : q[3], br = q[2].y <= q[3].y ? q[3] : q[2];
    q[0] = tl;
    q[1] = tr;
    q[2] = br;
    q[3] = bl;
}

/* The rectangle's corners, clockwise from the top-left (corral_quad_order). */
static inline void corral_rect_corners(corral_rotated_rect r, corral_point q[4]) {
    double hx = r.ux * r.width / 2, hy = r.uy * r.width / 2;   /* half the width side */
    double vx = -r.uy * r.height / 2, vy = r.ux * r.height / 2; /* half the height side */
    q[0] = (corral_point){(float)(r.cx - hx - vx), (float)(r.cy - hy - vy)};
    q[1] = (corral_point){(float)(r.cx + hx - vx), (float)(r.cy + hy - vy)};
    q[2] = (corral_point){(float)(r.cx + hx + vx), (float)(r.cy + hy + vy)};
    q[3] = (corral_point){(float)(r.cx - hx + vx), (float)(r.cy - hy + vy)};
    corral_quad_order(q);
}

static inline double corral_distance(corral_point a, corral_point b) {
    double dx = (double)a.x - b.x, dy = (double)a.y - b.y;
    return corral_sqrt(dx * dx + dy * dy);
}

/* The perspective transform (3×3, row-major, m[8] = 1) that maps from[i] to to[i] for the four
 * corners: to = (m0·x + m1·y + m2, m3·x + m4·y + m5) / (m6·x + m7·y + 1). Solves the 8×8 system
 * by Gaussian elimination with partial pivoting. Returns 0, or -1 when the corners are
 * degenerate (three on a line, or a corner repeated). */
static inline int corral_perspective_transform(const corral_point from[4], const corral_point to[4], double m[9]) {
    double a[8][9];
    for (int i = 0; i < 4; i++) {
        double x = from[i].x, y = from[i].y, u = to[i].x, v = to[i].y;
        double r0[9] = {x, y, 1, 0, 0, 0, -x * u, -y * u, u};
        double r1[9] = {0, 0, 0, x, y, 1, -x * v, -y * v, v};
        for (int j = 0; j < 9; j++) {
            a[2 * i][j] = r0[j];
            a[2 * i + 1][j] = r1[j];
        }
    }
    for (int col = 0; col < 8; col++) {
        int pivot = col;
        for (int r = col + 1; r < 8; r++)
            if ((a[r][col] < 0 ? -a[r][col] : a[r][col]) > (a[pivot][col] < 0 ? -a[pivot][col] : a[pivot][col])) pivot = r;
        double p = a[pivot][col];
        if ((p < 0 ? -p : p) < 1e-12) return -1;
        if (pivot != col)
            for (int j = 0; j < 9; j++) { double t = a[col][j]; a[col][j] = a[pivot][j]; a[pivot][j] = t; }
        for (int r = 0; r < 8; r++) {
            if (r == col || a[r][col] == 0) continue;
            double f = a[r][col] / p;
            for (int j = col; j < 9; j++) a[r][j] -= f * a[col][j];
        }
    }
    for (int i = 0; i < 8; i++) m[i] = a[i][8] / a[i][i];
    m[8] = 1;
    return 0;
}

/* Applies a perspective transform to (x, y). */
static inline corral_point corral_perspective_apply(const double m[9], double x, double y) {
    double w = m[6] * x + m[7] * y + m[8];
    if (w == 0) w = 1e-12;
    return (corral_point){(float)((m[0] * x + m[1] * y + m[2]) / w), (float)((m[3] * x + m[4] * y + m[5]) / w)};
}

/* The `text_boxes` input (float32 [N,4,2], quads written by ocr-db-postprocess), loaded into
 * the arena as N·4 points; *count = N (0 is fine). NULL with the error set when it is missing,
 * misshapen (code 1: the pipeline, not the request, is wrong) or memory runs out. */
static inline corral_point *corral_text_boxes_load(int32_t *count) {
    int32_t in = corral_input_index("text_boxes");
    int64_t dims[3];
    if (in < 0) {
        corral_fail(CORRAL_ERR_PLUGIN, "input 'text_boxes' (float32 [N,4,2], from ocr-db-postprocess) is missing");
        return (corral_point *)0;
    }
    if (corral_input_dtype(in) != CORRAL_FLOAT32 || corral_input_shape(in, dims, 3) != 3 || dims[1] != 4 || dims[2] != 2) {
        corral_fail(CORRAL_ERR_PLUGIN, "input 'text_boxes' must be float32 [N,4,2]");
        return (corral_point *)0;
    }
    int32_t bytes;
    corral_point *quads = (corral_point *)corral_input_load(in, &bytes);
    if (quads) *count = (int32_t)dims[0];
    return quads;
}

#endif /* CORRAL_GEOMETRY_H */
