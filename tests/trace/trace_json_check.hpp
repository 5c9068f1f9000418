// Validating a trace-event JSON file with Python's json module (python3 is
// on every machine that builds hvemu) and summarising it as "key value"
// lines the tests compare: exits per kind, tracks, event counts.
#pragma once
#include <catch2/catch.hpp>

#include <cstdio>
#include <map>
#include <sstream>
#include <string>

namespace hvemu::test {

struct TraceSummary {
    bool valid = false;
    std::string error;
    std::map<std::string, long> n;   // "exit:MmioWrite" -> count, "track:vCPU 0" -> 1, "ph:X" -> count, ...
};

inline TraceSummary summarise_trace_json(const std::string& path) {
    static const char* kScript =
        "import json,sys,collections\n"
        "d=json.load(open(sys.argv[1]))\n"
        "c=collections.Counter()\n"
        "for e in d['traceEvents']:\n"
        "  c['ph:'+e['ph']]+=1\n"
        "  if e['ph']=='M' and e['name']=='thread_name': c['track:'+e['args']['name']]+=1\n"
        "  if e['ph']=='M' and e['name']=='process_name': c['process']+=1\n"
        "  if e.get('cat')=='exit': c['exit:'+e['name']]+=1\n"
        "  if e.get('cat')=='irq': c['irq:'+e['name']+':'+str(e['tid'])]+=1\n"
        "  if e.get('cat')=='mmio': c['mmio']+=1\n"
        "  if e.get('cat')=='run':\n"
        "    c['run']+=1\n"
        "    assert e['dur']>=0 and e['ts']>=0\n"
        "  if e.get('cat')=='vm': c['end_status:'+str(e['args']['status'])]+=1\n"
        "for k,v in sorted(c.items()): print(k.replace(' ','_'), v)\n";
    TraceSummary s;
    const std::string script_path = path + ".py";
    {
        std::FILE* f = std::fopen(script_path.c_str(), "w");
        REQUIRE(f);
        std::fputs(kScript, f);
        std::fclose(f);
    }
    const std::string cmd = "python3 '" + script_path + "' '" + path + "' 2>&1";
    std::FILE* p = ::popen(cmd.c_str(), "r");
    REQUIRE(p);
    std::string out;
    char buf[4096];
    size_t got;
    while ((got = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, got);
    const int rc = ::pclose(p);
    std::remove(script_path.c_str());
    s.valid = rc == 0;
    if (!s.valid) {
        s.error = out;
        return s;
    }
    std::istringstream in(out);
    std::string key;
    long v;
    while (in >> key >> v) s.n[key] = v;
    return s;
}

} // namespace hvemu::test
