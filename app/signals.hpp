#pragma once
// SIGUSR1 and SIGTERM ask the run to stop at the end of the current epoch,
// checkpoint and exit with code 75 ("resume me"), as SLURM's --signal and
// scancel send them before a job's time runs out.
namespace myelin::cli {

void catch_stop_signals();
// Whether this process received one (async-signal-safe flag).
bool stop_requested();

} // namespace myelin::cli
