using System.Diagnostics;
using static TorchSharp.torch;

namespace KbSr.Model;

/// <summary>
/// Per-block timing for <c>kbsr bench --profile</c>. The network's forward passes its blocks (Up, Down, SR heads,
/// estimators, pseudo-LR blur and bicubic, SFT, feature extraction) through <see cref="Run(string, Func{Tensor, Tensor}, Tensor)"/>;
/// while no <see cref="Session"/> is open that is a plain call (one static read). Inside a session each call's
/// forward wall time is added to its block (exclusive of nested blocks), and, when the session records, the call
/// is kept with detached copies of its inputs so that <see cref="Session.ReplayBackward"/> can time that block's
/// backward alone (autograd on one block needs no other block to run). Single-threaded use only.
/// </summary>
public static class BlockProfiler
{
    public const string Up = "Up", Down = "Down", SrHeads = "SR heads", KernelEstimator = "kernel estimator",
                        InitialEstimator = "initial estimator", Blur = "pseudo-LR blur", Bicubic = "bicubic",
                        Sft = "SFT", Extract = "feature extraction";

    private static Session? _active;

    /// <summary>Opens a session (closing any open one). <paramref name="record"/>: keep calls for backward replay.</summary>
    public static Session Start(bool record) => _active = new Session(record);

    /// <summary>x ↦ f(x) as block <paramref name="block"/>.</summary>
    public static Tensor Run(string block, Func<Tensor, Tensor> f, Tensor x) =>
        _active is null ? f(x) : _active.Time(block, xs => f(xs[0]!), r => r, [x]);

    /// <summary>(a, b) ↦ f(a, b) as block <paramref name="block"/>.</summary>
    public static Tensor Run(string block, Func<Tensor, Tensor, Tensor> f, Tensor a, Tensor b) =>
        _active is null ? f(a, b) : _active.Time(block, xs => f(xs[0]!, xs[1]!), r => r, [a, b]);

    /// <summary>A block with any inputs and result; <paramref name="differentiable"/> picks the result tensor whose
    /// backward the replay times.</summary>
    public static T Run<T>(string block, Func<Tensor?[], T> f, Func<T, Tensor> differentiable, params Tensor?[] inputs) =>
        _active is null ? f(inputs) : _active.Time(block, f, differentiable, inputs);

    /// <summary>Forward times (and recorded calls) of one profiling run.</summary>
    public sealed class Session : IDisposable
    {
        private readonly bool _record;
        private readonly Stack<Frame> _open = new();
        private readonly List<(string Block, Func<Tensor?[], Tensor> Forward, Tensor?[] Inputs)> _calls = [];

        internal Session(bool record) => _record = record;

        /// <summary>Exclusive forward milliseconds per block, summed over its calls.</summary>
        public Dictionary<string, double> Forward { get; } = [];

        internal T Time<T>(string block, Func<Tensor?[], T> f, Func<T, Tensor> differentiable, Tensor?[] inputs)
        {
            if (_record && is_grad_enabled())
            {
                var kept = inputs.Select(t => t?.detach().clone().requires_grad_(t.is_floating_point() && t.requires_grad)).ToArray();
                foreach (var t in kept) t?.DetachFromDisposeScope();
                _calls.Add((block, xs => differentiable(f(xs)), kept));
            }
            var frame = new Frame();
            _open.Push(frame);
            var clock = Stopwatch.StartNew();
            T result;
            try { result = f(inputs); }
            finally { _open.Pop(); }
            double ms = clock.Elapsed.TotalMilliseconds;
            // Exclusive time: a block nested in another (none today, but cheap to get right) counts once.
            Forward[block] = Forward.GetValueOrDefault(block) + ms - frame.NestedMs;
            if (_open.TryPeek(out var parent)) parent.NestedMs += ms;
            return result;
        }

        private sealed class Frame { public double NestedMs; }

        /// <summary>
        /// Times each recorded call's backward alone: its inputs (copies, requiring grad where the originals did) go
        /// through the block again, then autograd runs from a random output gradient of the same shape, reaching the
        /// inputs and the block's parameters. Median of <paramref name="repeats"/> per call, summed per block.
        /// </summary>
        public Dictionary<string, double> ReplayBackward(int repeats = 3)
        {
            var totals = new Dictionary<string, double>();
            var previous = _active;
            _active = null;   // replays are not themselves profiled
            try
            {
                foreach (var (block, forward, inputs) in _calls)
                {
                    var times = new List<double>();
                    for (int r = 0; r < repeats; r++)
                    {
                        using var scope = NewDisposeScope();
                        using var grad = enable_grad();
                        var output = forward(inputs);
                        var seed = randn_like(output);
                        var clock = Stopwatch.StartNew();
                        output.backward([seed]);
                        times.Add(clock.Elapsed.TotalMilliseconds);
                        foreach (var t in inputs) t?.grad?.zero_();
                    }
                    times.Sort();
                    totals[block] = totals.GetValueOrDefault(block) + times[times.Count / 2];
                }
            }
            finally { _active = previous; }
            return totals;
        }

        public void Dispose()
        {
            if (ReferenceEquals(_active, this)) _active = null;
            foreach (var (_, _, inputs) in _calls)
                foreach (var t in inputs) t?.Dispose();
            _calls.Clear();
        }
    }
}
