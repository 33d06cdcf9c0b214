// Whole-file reads and atomic writes. A write goes to `path + ".tmp"`, is flushed to disk and then
// renamed over `path`, so a failed or interrupted write never leaves a complete-looking file.
#pragma once

#include <string>

namespace lscan {

// The file's bytes. Throws InputError naming the file when it cannot be opened or read.
std::string read_file(const std::string& path);

// Throws InputError naming the file when it cannot be written; `path + ".tmp"` is removed then.
void write_file_atomic(const std::string& path, const std::string& bytes);

// Throws InputError naming `path` and `flag` when `path` cannot be written: its folder does not
// exist or is not writable, or `path` is a folder. Commands check their outputs this way before
// any work, so that a long scan does not end in a failed write (the write itself checks again).
void check_writable(const std::string& path, const std::string& flag);

// The path without its extension: "runs/a.h5" -> "runs/a", "runs.v2/a" -> "runs.v2/a".
std::string strip_extension(const std::string& path);

}  // namespace lscan
