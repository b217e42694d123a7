using System.Collections.Concurrent;
using static TorchSharp.torch;

namespace KbSr.Training;

/// <summary>
/// Produces batches on a background thread, <c>depth</c> ahead of the consumer, so a GPU never waits
/// for crops and synthesis. Batches come out in index order and are the same as
/// <see cref="SyntheticBatchSource.Get"/> would give synchronously (each batch is a function of its index).
/// With depth 0 it is a plain synchronous loop — the better choice on a CPU-only machine, where the
/// producer would compete with the network for the same cores.
/// </summary>
public sealed class BatchPrefetcher : IDisposable
{
    private readonly SyntheticBatchSource _source;
    private readonly Device _device;
    private readonly BlockingCollection<SyntheticBatch>? _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task? _producer;
    // Set before the queue is completed, so a consumer woken by the completion always sees it
    // (the task's own Faulted state is set only after its finally block has run).
    private volatile Exception? _failure;
    private long _next;

    public BatchPrefetcher(SyntheticBatchSource source, long firstIndex, Device device, int depth)
    {
        _source = source;
        _device = device;
        _next = firstIndex;
        if (depth <= 0) return;
        _queue = new BlockingCollection<SyntheticBatch>(depth);
        _producer = Task.Factory.StartNew(() => Produce(firstIndex), TaskCreationOptions.LongRunning);
    }

    /// <summary>The next batch; the caller owns (disposes) it.</summary>
    public SyntheticBatch Next()
    {
        if (_queue is null) return _source.Get(_next++, _device);
        try
        {
            var batch = _queue.Take(_stop.Token);
            _next++;
            return batch;
        }
        catch (InvalidOperationException) when (_failure is { } failure)
        {
            throw new InvalidOperationException("batch producer failed: " + failure.Message, failure);
        }
    }

    private void Produce(long index)
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var batch = _source.Get(index++, _device);
                try { _queue!.Add(batch, _stop.Token); }
                catch (OperationCanceledException) { batch.Dispose(); return; }
            }
        }
        catch (Exception e) { _failure = e; }
        finally { _queue!.CompleteAdding(); }
    }

    public void Dispose()
    {
        _stop.Cancel();
        try { _producer?.Wait(TimeSpan.FromSeconds(30)); } catch (AggregateException) { }
        if (_queue is not null)
        {
            while (_queue.TryTake(out var leftover)) leftover.Dispose();
            _queue.Dispose();
        }
        _stop.Dispose();
    }
}
