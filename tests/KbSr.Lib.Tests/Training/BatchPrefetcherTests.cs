using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using KbSr.Training;
using static TorchSharp.torch;

namespace KbSr.Tests.Training;

public class BatchPrefetcherTests
{
    [Fact]
    public void Next_WithDepthTwo_GivesBitwiseTheBatchesOfDepthZeroInOrder()
    {
        using var cache = SyntheticBatchTests.Cache();
        var source = new SyntheticBatchSource(cache, SyntheticBatchTests.Options(), seed: 9);
        var synchronous = new List<SyntheticBatch>();
        var prefetched = new List<SyntheticBatch>();
        try
        {
            using (var plain = new BatchPrefetcher(source, firstIndex: 10, CPU, depth: 0))
                for (int i = 0; i < 6; i++) synchronous.Add(plain.Next());
            using (var ahead = new BatchPrefetcher(source, firstIndex: 10, CPU, depth: 2))
                for (int i = 0; i < 6; i++) prefetched.Add(ahead.Next());
            for (int i = 0; i < 6; i++)
                Assert.True(SyntheticBatchTests.Same(synchronous[i], prefetched[i]), $"batch {i} differs");
            using var direct = source.Get(13);
            Assert.True(SyntheticBatchTests.Same(direct, prefetched[3]), "prefetched batch 3 is not Get(13)");
        }
        finally
        {
            foreach (var b in synchronous.Concat(prefetched)) b.Dispose();
        }
    }

    [Fact]
    public void Dispose_WhileProducing_ReturnsPromptlyStopsTheProducerAndDisposesQueuedBatches()
    {
        using var cache = SyntheticBatchTests.Cache();
        var source = new SyntheticBatchSource(cache, SyntheticBatchTests.Options(), seed: 3);
        var prefetcher = new BatchPrefetcher(source, 0, CPU, depth: 2);
        using (prefetcher.Next()) { }
        // Look inside: wait until the producer has filled the queue and is blocked on the next Add.
        var queue = (BlockingCollection<SyntheticBatch>)Field(prefetcher, "_queue")!;
        var producer = (Task)Field(prefetcher, "_producer")!;
        var clock = Stopwatch.StartNew();
        while (queue.Count < 2 && clock.Elapsed < TimeSpan.FromSeconds(10)) Thread.Sleep(5);
        var queued = queue.ToArray();
        Assert.Equal(2, queued.Length);

        // Dispose must not wait for a batch that nobody will take: a producer left blocked on Add would hang it for
        // good. The bound only tells a hang from a slow, loaded machine; it measures no speed.
        clock.Restart();
        prefetcher.Dispose();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"Dispose took {clock.Elapsed}");
        Assert.True(producer.IsCompleted, "the producer is still running after Dispose");
        Assert.All(queued, b => Assert.True(b.Hr.IsInvalid && b.Lr.IsInvalid && b.Kernels.IsInvalid && b.Sigmas.IsInvalid,
            "a queued batch was not disposed"));
    }

    [Fact]
    public void Next_WhenTheProducerFails_ThrowsWithTheCause()
    {
        using var cache = SyntheticBatchTests.Cache();
        var source = new SyntheticBatchSource(cache, SyntheticBatchTests.Options(), seed: 3);
        cache.Dispose();                                       // every Get now fails: the cache is empty
        for (int attempt = 0; attempt < 200; attempt++)     // the failure must be reported the same way every time
        {
            using var prefetcher = new BatchPrefetcher(source, 0, CPU, depth: 2);
            var e = Assert.Throws<InvalidOperationException>(() => prefetcher.Next());
            Assert.StartsWith("batch producer failed: ", e.Message);
            Assert.NotNull(e.InnerException);
        }
    }

    private static object? Field(object o, string name) =>
        o.GetType().GetField(name, BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(o);
}
