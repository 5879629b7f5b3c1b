// Must not compile: a struct whose Serializer declares kHoldsResources, sent as an lvalue.
#include "lunatic/lunatic.hpp"

using namespace std::chrono_literals;

struct Job {
  lunatic::TcpStream stream;
};
template <> struct lunatic::Serializer<Job> {
  static constexpr bool kHoldsResources = true;
  static void write(Writer& w, const Job& j) { serialize(w, j.stream); }
  static bool read(Reader& r, Job& j) { return deserialize(r, j.stream); }
};

void f(lunatic::Process p, Job& job) { (void)p.send_after(job, lunatic::Tag(1), 10ms); }
