using BenchmarkDotNet.Running;
using MxResolver.Benchmarks;

if (args.Contains(CacheMemory.Switch))
{
    CacheMemory.Run();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
