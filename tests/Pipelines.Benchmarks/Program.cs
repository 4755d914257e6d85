using BenchmarkDotNet.Running;
using Pipelines.Benchmarks;

// dotnet run -c Release --project tests/Pipelines.Benchmarks -- --filter '*'
// dotnet run -c Release --project tests/Pipelines.Benchmarks -- --latency   (upstream-done → downstream-start, real clock)
// dotnet run -c Release --project tests/Pipelines.Benchmarks -- --makespan  (schedule quality in virtual time)
switch (args.FirstOrDefault())
{
    case "--latency":
        return await LatencyProbe.RunAsync(args[1..]);
    case "--makespan":
        return await MakespanProbe.RunAsync(args[1..]);
    default:
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
}
