#include "host/plot/plplot_png.h"

#include <plplot/plplot.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <stdexcept>

#include "host/core/atomic_file.h"
#include "host/core/error.h"
#include "host/plot/ticks.h"

namespace lscan {
namespace plot_detail {
namespace {

constexpr const char* kDevice = "pngcairo";

// Colour map 0, indexed by Colour.
constexpr PLINT kPaletteR[kNumColours] = {255, 25, 215, 255, 214, 224, 31, 255, 110};
constexpr PLINT kPaletteG[kNumColours] = {255, 25, 215, 255, 39, 64, 90, 127, 110};
constexpr PLINT kPaletteB[kNumColours] = {255, 25, 215, 255, 40, 224, 180, 14, 110};

// PLplot's state is global: one page at a time in the whole process.
std::mutex& plplot_mutex() {
  static std::mutex m;
  return m;
}

// Written by the handlers below while write_png holds the lock. Plain buffers: the exit handler
// leaves by longjmp, and nothing that allocates should be half-done then.
std::jmp_buf g_exit_jump;
char g_message[1024];
// Given to plsError: with them set, plabort writes its message here instead of to stderr (the
// abort handler has recorded it already). PLplot's sprintf into it is unbounded; its messages are
// its own and short.
PLINT g_abort_code = 0;
char g_abort_text[4096];

// Appends `msg` to g_message ("; " between messages), as much as fits.
void record(const char* msg) {
  const size_t used = std::strlen(g_message);
  if (used + 3 >= sizeof(g_message)) return;
  std::snprintf(g_message + used, sizeof(g_message) - used, "%s%s", used ? "; " : "",
                msg ? msg : "");
}

// plexit calls exit() once this returns, so it does not return.
extern "C" int on_plplot_exit(const char* msg) {
  record(msg);
  std::longjmp(g_exit_jump, 1);
}

// plabort: PLplot skipped an operation and goes on; the page would be wrong.
extern "C" void on_plplot_abort(const char* msg) {
  record(msg);
}

// Installs the handlers for one page and takes them away again, so that PLplot used elsewhere
// later behaves as documented.
class HandlerScope {
 public:
  HandlerScope() {
    g_message[0] = '\0';
    plsexit(on_plplot_exit);
    plsabort(on_plplot_abort);
  }
  ~HandlerScope() {
    plsexit(nullptr);
    plsabort(nullptr);
  }
  HandlerScope(const HandlerScope&) = delete;
  HandlerScope& operator=(const HandlerScope&) = delete;
};

// After a fatal error: the clean-up plexit does before it exits, itself guarded (a fatal error in
// it is recorded and ends the clean-up).
void end_all_streams() {
  if (setjmp(g_exit_jump) != 0) return;
  plend();
}

// Whether PLplot has the device `name`: 1 yes, 0 no, -1 if looking failed fatally (PLplot finds
// no drivers at all). Guarded like render() below.
int find_device(const char* name) {
  if (setjmp(g_exit_jump) != 0) return -1;
  // plgDevs fills arrays the caller provides, with at most *n entries.
  static const char* menus[256];
  static const char* names[256];
  const char** menu_list = menus;
  const char** name_list = names;
  int n = 256;
  plgDevs(&menu_list, &name_list, &n);
  for (int i = 0; i < n; ++i)
    if (name_list[i] && std::strcmp(name_list[i], name) == 0) return 1;
  return 0;
}

// The frame that a fatal PLplot error returns to: false if that happened. No automatic object
// with a destructor lives here or below (see plplot_png.h). The stream number is static because
// a local changed after setjmp is indeterminate after longjmp.
bool render(const char* file, int width, int height, DrawFn draw, const void* scene) {
  static PLINT stream = 0;
  if (setjmp(g_exit_jump) != 0) return false;
  // A stream of our own: any other stream's settings stay as they are.
  plmkstrm(&stream);
  plsError(&g_abort_code, g_abort_text);
  plsdev(kDevice);
  plsfnam(file);
  plspage(0, 0, width, height, 0, 0);
  plscmap0(kPaletteR, kPaletteG, kPaletteB, kNumColours);
  plinit();
  pladv(0);  // the page, whose size set_text_scale needs
  set_text_scale(1);
  draw(scene);
  plend1();  // pngcairo writes the file here
  return true;
}

bool has_png_signature(const std::string& file) {
  static const char kSignature[8] = {'\x89', 'P', 'N', 'G', '\r', '\n', '\x1a', '\n'};
  char head[8] = {};
  std::ifstream in(file, std::ios::binary);
  in.read(head, sizeof(head));
  return in && std::memcmp(head, kSignature, sizeof(head)) == 0;
}

}  // namespace

void write_png(const std::string& path, int width, int height, DrawFn draw, const void* scene) {
  std::lock_guard<std::mutex> lock(plplot_mutex());
  HandlerScope handlers;
  const int device = find_device(kDevice);
  if (device != 1) {
    if (device < 0) end_all_streams();
    const std::string why = g_message[0] ? std::string(" (PLplot: ") + g_message + ")" : "";
    input_error(path, "",
                std::string("PLplot's PNG device '") + kDevice + "' is not available" + why +
                    ": apt-get install plplot-driver-cairo");
  }
  AtomicOutput out(path);
  // PLplot retries a file it cannot open, prints about it and then ends the process: make sure
  // here that it can be created, and say why not.
  std::FILE* probe = std::fopen(out.tmp_path().c_str(), "wb");
  if (!probe) input_error(path, "", std::string("cannot create file: ") + std::strerror(errno));
  std::fclose(probe);

  if (!render(out.tmp_path().c_str(), width, height, draw, scene)) {
    end_all_streams();
    throw std::runtime_error(path + ": PLplot failed: " + g_message);
  }
  if (g_message[0] != '\0') throw std::runtime_error(path + ": PLplot error: " + g_message);
  // Cairo does not report a failed write (a full disk); an incomplete PNG must not be committed.
  if (!has_png_signature(out.tmp_path()))
    throw std::runtime_error(path + ": PLplot wrote no PNG image");
  out.commit();
}

void check_page_size(const std::string& path, int width, int height) {
  if (width < 200 || width > 10000)
    input_error(path, "width", "expected 200 to 10000 pixels, got " + std::to_string(width));
  if (height < 200 || height > 10000)
    input_error(path, "height", "expected 200 to 10000 pixels, got " + std::to_string(height));
}

void world_per_pixel(double* dx, double* dy) {
  PLFLT vx0, vx1, vy0, vy1, wx0, wx1, wy0, wy1, xp, yp;
  PLINT xlen, ylen, xoff, yoff;
  plgvpd(&vx0, &vx1, &vy0, &vy1);  // viewport, normalised device coordinates
  plgvpw(&wx0, &wx1, &wy0, &wy1);  // its world coordinates
  plgpage(&xp, &yp, &xlen, &ylen, &xoff, &yoff);
  *dx = (wx1 - wx0) / ((vx1 - vx0) * xlen);
  *dy = (wy1 - wy0) / ((vy1 - vy0) * ylen);
}

void grow_viewport(double pixels) {
  PLFLT vx0, vx1, vy0, vy1, wx0, wx1, wy0, wy1, xp, yp;
  PLINT xlen, ylen, xoff, yoff;
  plgvpd(&vx0, &vx1, &vy0, &vy1);
  plgvpw(&wx0, &wx1, &wy0, &wy1);
  plgpage(&xp, &yp, &xlen, &ylen, &xoff, &yoff);
  const double nx = pixels / xlen, ny = pixels / ylen;  // normalised device units
  const double gx = nx * (wx1 - wx0) / (vx1 - vx0), gy = ny * (wy1 - wy0) / (vy1 - vy0);
  plvpor(vx0 - nx, vx1 + nx, vy0 - ny, vy1 + ny);
  plwind(wx0 - gx, wx1 + gx, wy0 - gy, wy1 + gy);
}

double page_scale() {
  PLFLT xp, yp;
  PLINT xlen, ylen, xoff, yoff;
  plgpage(&xp, &yp, &xlen, &ylen, &xoff, &yoff);
  return page_scale(xlen, ylen);
}

std::string plplot_text(const std::string& text) {
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '#') out += '#';
  }
  return out;
}

void set_text_scale(double factor) {
  PLFLT def_mm, ht_mm, sx0, sx1, sy0, sy1, xp, yp;
  PLINT xlen, ylen, xoff, yoff;
  plgchr(&def_mm, &ht_mm);
  plgspa(&sx0, &sx1, &sy0, &sy1);  // the subpage (the whole page) in mm
  plgpage(&xp, &yp, &xlen, &ylen, &xoff, &yoff);
  // PLplot's default height is in mm of a page whose size in mm grows with its pixels.
  const double default_px = def_mm * xlen / (sx1 - sx0);
  plschr(0, factor * text_height_px(xlen, ylen) / default_px);
}

namespace {

// plslabelfunc callback for draw_frame; data: the x and y tick steps.
extern "C" void frame_tick_label(PLINT axis, PLFLT value, char* label, PLINT length,
                                 PLPointer data) {
  const PLFLT* steps = static_cast<const PLFLT*>(data);
  const std::string text = format_tick(value, axis == PL_X_AXIS ? steps[0] : steps[1]);
  std::snprintf(label, static_cast<size_t>(length), "%s", text.c_str());
}

// Minor intervals between major ticks: 4 for a step of 2 * 10^k, else 5.
PLINT minor_intervals(double step) {
  const double m = step / std::pow(10.0, std::floor(std::log10(step) + 1e-9));
  return std::fabs(m - 2) < 1e-6 ? 4 : 5;
}

}  // namespace

void draw_frame(double xstep, double ystep, const char* xlabel, const char* ylabel,
                double ylabel_disp) {
  const PLFLT steps[2] = {xstep, ystep};
  plslabelfunc(frame_tick_label, const_cast<PLFLT*>(steps));
  plcol0(kInk);
  plwidth(page_scale());
  // b, c: frame; n: numbers; s, t: minor and major ticks; o: numbers from frame_tick_label;
  // v: upright.
  plbox("bcnsto", xstep, minor_intervals(xstep), "bcnstov", ystep, minor_intervals(ystep));
  plslabelfunc(nullptr, nullptr);
  plmtex("b", 3.0, 0.5, 0.5, xlabel);
  plmtex("l", ylabel_disp, 0.5, 0.5, ylabel);
}

void draw_glyph(Glyph glyph, double wx, double wy, double radius_px, int fill, int edge) {
  constexpr double kPi = 3.14159265358979323846;
  double sx, sy;
  world_per_pixel(&sx, &sy);
  // Unit outlines (y up, closed: the last vertex repeats the first), scaled by radius_px. The
  // corner shapes are scaled so that each looks about as large as the circle.
  PLFLT ux[25], uy[25];
  int n = 0;
  switch (glyph) {
    case Glyph::kCircle:
      n = 24;
      for (int i = 0; i < n; ++i) {
        ux[i] = std::cos(2 * kPi * i / n);
        uy[i] = std::sin(2 * kPi * i / n);
      }
      break;
    case Glyph::kTriangle:
      n = 3;
      for (int i = 0; i < n; ++i) {
        ux[i] = 1.3 * std::cos(kPi / 2 + 2 * kPi * i / n);
        uy[i] = 1.3 * std::sin(kPi / 2 + 2 * kPi * i / n) - 0.2;
      }
      break;
    case Glyph::kDiamond:
      n = 4;
      for (int i = 0; i < n; ++i) {
        ux[i] = 1.25 * std::cos(kPi / 2 * i);
        uy[i] = 1.25 * std::sin(kPi / 2 * i);
      }
      break;
    case Glyph::kSquare:
      n = 4;
      for (int i = 0; i < n; ++i) {
        ux[i] = 0.9 * (i == 0 || i == 3 ? -1 : 1);
        uy[i] = 0.9 * (i < 2 ? -1 : 1);
      }
      break;
  }
  ux[n] = ux[0];
  uy[n] = uy[0];
  PLFLT x[25], y[25];
  for (int i = 0; i <= n; ++i) {
    x[i] = wx + ux[i] * radius_px * sx;
    y[i] = wy + uy[i] * radius_px * sy;
  }
  plcol0(fill);
  plfill(n, x, y);
  plcol0(edge);
  plwidth(1.5 * page_scale());
  plline(n + 1, x, y);
}

}  // namespace plot_detail
}  // namespace lscan
