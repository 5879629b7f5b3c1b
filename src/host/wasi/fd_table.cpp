// FdTable and the owning wrappers of host fds.
#include "host/wasi/fd_table.hpp"

#include <unistd.h>

namespace lunatic::host::wasi {

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

FdEntry::~FdEntry() {
  if (dir_stream != nullptr) closedir(dir_stream);  // its own fd (opened with openat ".")
  if (owned && host_fd >= 0) ::close(host_fd);
}

Errno FdTable::insert(std::unique_ptr<FdEntry> entry, uint32_t* fd_out) {
  for (uint32_t i = 0; i < entries_.size(); ++i) {
    if (!entries_[i]) {
      entries_[i] = std::move(entry);
      *fd_out = i;
      return Errno::Success;
    }
  }
  if (entries_.size() >= kMaxFds) return Errno::Mfile;
  entries_.push_back(std::move(entry));
  *fd_out = static_cast<uint32_t>(entries_.size() - 1);
  return Errno::Success;
}

void FdTable::put(uint32_t fd, std::unique_ptr<FdEntry> entry) {
  if (fd >= entries_.size()) entries_.resize(fd + 1);
  entries_[fd] = std::move(entry);
}

Errno FdTable::close(uint32_t fd) {
  if (get(fd) == nullptr) return Errno::Badf;
  entries_[fd].reset();
  trim();
  return Errno::Success;
}

Errno FdTable::renumber(uint32_t from, uint32_t to) {
  if (get(from) == nullptr || get(to) == nullptr) return Errno::Badf;
  if (from == to) return Errno::Success;
  entries_[to] = std::move(entries_[from]);  // the old entry of `to` closes here
  trim();
  return Errno::Success;
}

void FdTable::trim() {
  // Trailing free slots are dropped so the table shrinks back after a burst of opens.
  while (!entries_.empty() && !entries_.back()) entries_.pop_back();
}

size_t FdTable::open_count() const {
  size_t n = 0;
  for (const auto& e : entries_) n += e ? 1 : 0;
  return n;
}

}  // namespace lunatic::host::wasi
