using BenchmarkDotNet.Running;
using MxResolver.Benchmarks;

if (args.Contains(CacheMemory.Switch))
{
    CacheMemory.Run();
    return;
}

if (args.Contains(BulkAllocations.Switch))
{
    BulkAllocations.Run(args);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
