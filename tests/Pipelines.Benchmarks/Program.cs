using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/Pipelines.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
