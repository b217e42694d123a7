using System.Diagnostics;
using KbSr.Model;
using KbSr.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace KbSr.Cli.Commands;

/// <summary>
/// <c>kbsr bench --profile</c>: where a training step and an inference pass spend their time, per block type.
/// Forward: the exclusive wall time of each block inside real steps (<see cref="BlockProfiler"/>), median over the
/// profiled steps. Backward: each block's calls of the last profiled step replayed alone on copies of their
/// recorded inputs, with a random output gradient, timing autograd only (median of 3 per call) — libtorch's
/// backward of one block does not depend on the others, so this is that block's share; "other" is the measured
/// whole backward minus the blocks' sum (glue: concatenations, residual adds, the loss's own backward).
/// </summary>
internal static class BenchProfile
{
    private static readonly string[] Blocks =
    [
        BlockProfiler.Extract, BlockProfiler.InitialEstimator, BlockProfiler.Up, BlockProfiler.Down, BlockProfiler.SrHeads,
        BlockProfiler.KernelEstimator, BlockProfiler.Blur, BlockProfiler.Bicubic, BlockProfiler.Sft,
    ];

    public static void Print(string name, KbSrNet network, KbSrLoss loss, optim.Optimizer optimizer,
                             Tensor hr, Tensor lr, Tensor kernels, int repeats)
    {
        var forwardTotals = new List<double>();
        var lossTimes = new List<double>();
        var backwardTotals = new List<double>();
        var optimiserTimes = new List<double>();
        var stepTimes = new List<double>();
        var perBlock = Blocks.ToDictionary(b => b, _ => new List<double>());
        Dictionary<string, double> backward = [];
        for (int r = 0; r < repeats; r++)
        {
            using var scope = NewDisposeScope();
            bool last = r == repeats - 1;
            var step = Stopwatch.StartNew();
            optimizer.zero_grad();
            using var session = BlockProfiler.Start(record: last);
            var clock = Stopwatch.StartNew();
            using var output = network.Run(lr);
            forwardTotals.Add(clock.Elapsed.TotalMilliseconds);
            clock.Restart();
            using var terms = loss.Compute(output, hr, lr, kernels);
            lossTimes.Add(clock.Elapsed.TotalMilliseconds);
            clock.Restart();
            terms.Total.backward();
            backwardTotals.Add(clock.Elapsed.TotalMilliseconds);
            clock.Restart();
            optimizer.step();
            optimiserTimes.Add(clock.Elapsed.TotalMilliseconds);
            stepTimes.Add(step.Elapsed.TotalMilliseconds);
            foreach (string b in Blocks) perBlock[b].Add(session.Forward.GetValueOrDefault(b));
            if (last) backward = session.ReplayBackward();
        }
        optimizer.zero_grad();
        double lossBackward = LossBackward(network, loss, hr, lr, kernels);

        var inference = Blocks.ToDictionary(b => b, _ => new List<double>());
        var inferenceTotals = new List<double>();
        using (no_grad())
        {
            network.eval();
            for (int r = 0; r < repeats; r++)
            {
                using var session = BlockProfiler.Start(record: false);
                var clock = Stopwatch.StartNew();
                using var sr = network.call(lr);
                inferenceTotals.Add(clock.Elapsed.TotalMilliseconds);
                foreach (string b in Blocks) inference[b].Add(session.Forward.GetValueOrDefault(b));
            }
            network.train();
        }

        double stepMs = Median(stepTimes), forwardMs = Median(forwardTotals), backwardMs = Median(backwardTotals), inferenceMs = Median(inferenceTotals);
        Console.WriteLine();
        Console.WriteLine($"profile {name}: training step {stepMs:F1} ms (forward {forwardMs:F1}, loss {Median(lossTimes):F1}, backward {backwardMs:F1}, " +
                          $"Adam {Median(optimiserTimes):F1}), inference {inferenceMs:F1} ms; medians of {repeats}");
        Console.WriteLine("  fwd = exclusive forward wall time inside real steps; bwd = the block's recorded calls replayed alone, autograd only;");
        Console.WriteLine("  step % = (fwd + bwd) / step; inf = no-grad forward of the same batch in eval mode");
        Console.WriteLine($"  {"block",-20} {"fwd ms",8} {"fwd %",6} {"bwd ms",8} {"bwd %",6} {"step %",7} {"inf ms",8} {"inf %",6}");
        double fwdSum = 0, bwdSum = 0, infSum = 0;
        void Row(string block, double f, double b, double i) =>
            Console.WriteLine($"  {block,-20} {f,8:F1} {100 * f / forwardMs,5:F1}% {b,8:F1} {100 * b / backwardMs,5:F1}% {100 * (f + b) / stepMs,6:F1}% {i,8:F1} {100 * i / inferenceMs,5:F1}%");
        foreach (string b in Blocks)
        {
            double f = Median(perBlock[b]), bw = backward.GetValueOrDefault(b), i = Median(inference[b]);
            (fwdSum, bwdSum, infSum) = (fwdSum + f, bwdSum + bw, infSum + i);
            Row(b, f, bw, i);
        }
        Row("loss (eq. 3)", Median(lossTimes), lossBackward, 0);
        Row("optimiser (Adam)", Median(optimiserTimes), 0, 0);
        Row("other (glue)", forwardMs - fwdSum, backwardMs - bwdSum - lossBackward, inferenceMs - infSum);
    }

    /// <summary>Backward of eq. 3 alone, from detached copies of the network's outputs (median of 3).</summary>
    private static double LossBackward(KbSrNet network, KbSrLoss loss, Tensor hr, Tensor lr, Tensor kernels)
    {
        using var scope = NewDisposeScope();
        KbSrOutput output;
        using (no_grad()) output = network.Run(lr);
        var times = new List<double>();
        for (int r = 0; r < 3; r++)
        {
            using var inner = NewDisposeScope();
            static Tensor Leaf(Tensor t) => t.detach().clone().requires_grad_(true);
            var copy = new KbSrOutput(Leaf(output.Sr), output.SrStages.Select(Leaf).ToList(), output.Kernels.Select(Leaf).ToList(),
                                      output.PseudoLrs.Select(Leaf).ToList(), output.Differences.Select(Leaf).ToList(),
                                      output.KernelFields.Select(Leaf).ToList(), Leaf(output.InitialKernel), output.MidStage);
            using var terms = loss.Compute(copy, hr, lr, kernels);
            var clock = Stopwatch.StartNew();
            terms.Total.backward();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        output.Dispose();
        return Median(times);
    }

    public static double Median(List<double> values)
    {
        if (values.Count == 0) return 0;
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
