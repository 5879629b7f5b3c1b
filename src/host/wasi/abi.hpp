// The preview1 ABI this folder speaks: constants (file types, rights, flags) and the memory
// layouts of its structs, with static_asserts pinning sizes and offsets to the witx definitions.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lunatic::host::wasi::abi {

// filetype (u8)
inline constexpr uint8_t kFiletypeUnknown = 0;
inline constexpr uint8_t kFiletypeBlockDevice = 1;
inline constexpr uint8_t kFiletypeCharacterDevice = 2;
inline constexpr uint8_t kFiletypeDirectory = 3;
inline constexpr uint8_t kFiletypeRegularFile = 4;
inline constexpr uint8_t kFiletypeSocketDgram = 5;
inline constexpr uint8_t kFiletypeSocketStream = 6;
inline constexpr uint8_t kFiletypeSymbolicLink = 7;

// rights (u64 bit set)
inline constexpr uint64_t kRightFdDatasync = 1ull << 0;
inline constexpr uint64_t kRightFdRead = 1ull << 1;
inline constexpr uint64_t kRightFdSeek = 1ull << 2;
inline constexpr uint64_t kRightFdFdstatSetFlags = 1ull << 3;
inline constexpr uint64_t kRightFdSync = 1ull << 4;
inline constexpr uint64_t kRightFdTell = 1ull << 5;
inline constexpr uint64_t kRightFdWrite = 1ull << 6;
inline constexpr uint64_t kRightFdAdvise = 1ull << 7;
inline constexpr uint64_t kRightFdAllocate = 1ull << 8;
inline constexpr uint64_t kRightPathCreateDirectory = 1ull << 9;
inline constexpr uint64_t kRightPathCreateFile = 1ull << 10;
inline constexpr uint64_t kRightPathLinkSource = 1ull << 11;
inline constexpr uint64_t kRightPathLinkTarget = 1ull << 12;
inline constexpr uint64_t kRightPathOpen = 1ull << 13;
inline constexpr uint64_t kRightFdReaddir = 1ull << 14;
inline constexpr uint64_t kRightPathReadlink = 1ull << 15;
inline constexpr uint64_t kRightPathRenameSource = 1ull << 16;
inline constexpr uint64_t kRightPathRenameTarget = 1ull << 17;
inline constexpr uint64_t kRightPathFilestatGet = 1ull << 18;
inline constexpr uint64_t kRightPathFilestatSetSize = 1ull << 19;
inline constexpr uint64_t kRightPathFilestatSetTimes = 1ull << 20;
inline constexpr uint64_t kRightFdFilestatGet = 1ull << 21;
inline constexpr uint64_t kRightFdFilestatSetSize = 1ull << 22;
inline constexpr uint64_t kRightFdFilestatSetTimes = 1ull << 23;
inline constexpr uint64_t kRightPathSymlink = 1ull << 24;
inline constexpr uint64_t kRightPathRemoveDirectory = 1ull << 25;
inline constexpr uint64_t kRightPathUnlinkFile = 1ull << 26;
inline constexpr uint64_t kRightPollFdReadwrite = 1ull << 27;
inline constexpr uint64_t kRightSockShutdown = 1ull << 28;
inline constexpr uint64_t kRightSockAccept = 1ull << 29;
inline constexpr uint64_t kRightsAll = (1ull << 30) - 1;

/// Rights that only make sense on a regular file (or another seekable, readable stream).
inline constexpr uint64_t kRightsFile =
    kRightFdDatasync | kRightFdRead | kRightFdSeek | kRightFdFdstatSetFlags | kRightFdSync |
    kRightFdTell | kRightFdWrite | kRightFdAdvise | kRightFdAllocate | kRightFdFilestatGet |
    kRightFdFilestatSetSize | kRightFdFilestatSetTimes | kRightPollFdReadwrite;
/// Rights of a directory: everything under a path, plus reading entries.
inline constexpr uint64_t kRightsDirectory =
    kRightFdFdstatSetFlags | kRightFdSync | kRightFdAdvise | kRightPathCreateDirectory |
    kRightPathCreateFile | kRightPathLinkSource | kRightPathLinkTarget | kRightPathOpen |
    kRightFdReaddir | kRightPathReadlink | kRightPathRenameSource | kRightPathRenameTarget |
    kRightPathFilestatGet | kRightPathFilestatSetSize | kRightPathFilestatSetTimes |
    kRightFdFilestatGet | kRightFdFilestatSetTimes | kRightPathSymlink | kRightPathRemoveDirectory |
    kRightPathUnlinkFile;
/// Rights that let an fd be written (opening the host file for writing).
inline constexpr uint64_t kRightsWriting =
    kRightFdWrite | kRightFdAllocate | kRightFdFilestatSetSize | kRightFdDatasync;
/// Rights that let an fd be read.
inline constexpr uint64_t kRightsReading = kRightFdRead | kRightFdReaddir;
/// Rights whose calls need an open file description: an fd asked for none of them is opened
/// as an O_PATH handle (stat, path_* below it, never data), which needs no permission to read
/// the file and never blocks on a FIFO.
inline constexpr uint64_t kRightsNeedingOpenFile =
    kRightsReading | kRightsWriting | kRightFdSeek | kRightFdTell | kRightFdSync | kRightFdAdvise |
    kRightFdFdstatSetFlags | kRightFdFilestatSetTimes | kRightPollFdReadwrite;

// oflags (u16)
inline constexpr uint32_t kOflagCreat = 1;
inline constexpr uint32_t kOflagDirectory = 2;
inline constexpr uint32_t kOflagExcl = 4;
inline constexpr uint32_t kOflagTrunc = 8;
inline constexpr uint32_t kOflagsAll = kOflagCreat | kOflagDirectory | kOflagExcl | kOflagTrunc;

// fdflags (u16)
inline constexpr uint32_t kFdflagAppend = 1;
inline constexpr uint32_t kFdflagDsync = 2;
inline constexpr uint32_t kFdflagNonblock = 4;
inline constexpr uint32_t kFdflagRsync = 8;
inline constexpr uint32_t kFdflagSync = 16;
inline constexpr uint32_t kFdflagsAll =
    kFdflagAppend | kFdflagDsync | kFdflagNonblock | kFdflagRsync | kFdflagSync;

// lookupflags (u32)
inline constexpr uint32_t kLookupSymlinkFollow = 1;
inline constexpr uint32_t kLookupflagsAll = kLookupSymlinkFollow;

// fstflags (u16)
inline constexpr uint32_t kFstAtim = 1;
inline constexpr uint32_t kFstAtimNow = 2;
inline constexpr uint32_t kFstMtim = 4;
inline constexpr uint32_t kFstMtimNow = 8;
inline constexpr uint32_t kFstflagsAll = kFstAtim | kFstAtimNow | kFstMtim | kFstMtimNow;

// whence (u8)
inline constexpr uint32_t kWhenceSet = 0;
inline constexpr uint32_t kWhenceCur = 1;
inline constexpr uint32_t kWhenceEnd = 2;

// eventtype (u8) and subclockflags (u16)
inline constexpr uint8_t kEventClock = 0;
inline constexpr uint8_t kEventFdRead = 1;
inline constexpr uint8_t kEventFdWrite = 2;
inline constexpr uint16_t kSubclockAbstime = 1;

inline constexpr uint16_t kEventFdReadwriteHangup = 1;
// riflags, roflags, sdflags (sockets)
inline constexpr uint32_t kRiflagRecvPeek = 1;
inline constexpr uint32_t kRiflagRecvWaitall = 2;
inline constexpr uint16_t kRoflagRecvDataTruncated = 1;
inline constexpr uint32_t kSdflagRd = 1;
inline constexpr uint32_t kSdflagWr = 2;
/// Rights of a listening socket (a --tcplisten preopen) and of an accepted connection.
inline constexpr uint64_t kRightsSocketListener =
    kRightSockAccept | kRightPollFdReadwrite | kRightFdFdstatSetFlags | kRightFdFilestatGet;
inline constexpr uint64_t kRightsSocketStream = kRightFdRead | kRightFdWrite |
                                                kRightPollFdReadwrite | kRightSockShutdown |
                                                kRightFdFdstatSetFlags | kRightFdFilestatGet;
// preopentype
inline constexpr uint8_t kPreopenDir = 0;

/// `iovec` / `ciovec`: a buffer in guest memory.
struct Iovec {
  uint32_t buf;
  uint32_t buf_len;
};
static_assert(sizeof(Iovec) == 8);

/// `fdstat`.
struct Fdstat {
  uint8_t fs_filetype;
  uint8_t pad0;
  uint16_t fs_flags;
  uint32_t pad1;
  uint64_t fs_rights_base;
  uint64_t fs_rights_inheriting;
};
static_assert(sizeof(Fdstat) == 24 && offsetof(Fdstat, fs_flags) == 2 &&
              offsetof(Fdstat, fs_rights_base) == 8);

/// `filestat`.
struct Filestat {
  uint64_t dev;
  uint64_t ino;
  uint8_t filetype;
  uint8_t pad[7];
  uint64_t nlink;
  uint64_t size;
  uint64_t atim;
  uint64_t mtim;
  uint64_t ctim;
};
static_assert(sizeof(Filestat) == 64 && offsetof(Filestat, filetype) == 16 &&
              offsetof(Filestat, nlink) == 24 && offsetof(Filestat, ctim) == 56);

/// `prestat` (the `dir` variant is the only one).
struct Prestat {
  uint8_t tag;
  uint8_t pad[3];
  uint32_t pr_name_len;
};
static_assert(sizeof(Prestat) == 8);

/// `dirent` header; the name (d_namlen bytes, no NUL) follows it in the buffer.
struct Dirent {
  uint64_t d_next;
  uint64_t d_ino;
  uint32_t d_namlen;
  uint8_t d_type;
  uint8_t pad[3];
};
static_assert(sizeof(Dirent) == 24 && offsetof(Dirent, d_type) == 20);

/// `subscription`: userdata, then the tagged union `subscription_u` at 8 (its body at 16).
struct Subscription {
  uint64_t userdata;
  uint8_t tag;
  uint8_t pad[7];
  union {
    struct {
      uint32_t id;
      uint32_t pad;
      uint64_t timeout;
      uint64_t precision;
      uint16_t flags;
      uint8_t pad2[6];
    } clock;
    struct {
      uint32_t fd;
      uint8_t pad[28];
    } fd_readwrite;
  } u;
};
static_assert(sizeof(Subscription) == 48 && offsetof(Subscription, u) == 16);

/// `event`.
struct Event {
  uint64_t userdata;
  uint16_t error;
  uint8_t type;
  uint8_t pad[5];
  uint64_t nbytes;  ///< event_fd_readwrite.nbytes
  uint16_t flags;   ///< event_fd_readwrite.flags (1: hangup)
  uint8_t pad2[6];
};
static_assert(sizeof(Event) == 32 && offsetof(Event, nbytes) == 16 && offsetof(Event, flags) == 24);

}  // namespace lunatic::host::wasi::abi
