using System.Diagnostics;
using KbSr.Degradation;
using KbSr.Model;
using KbSr.Runtime;
using KbSr.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace KbSr.Cli.Commands;

/// <summary>
/// `kbsr runtime --gc-stress`: torch work beside a thread that forces collections and finalizers in a loop
/// (<see cref="GcPressure"/>). With <c>--unguarded</c> it shows the finalizer races <see cref="FinalizerGate"/> exists
/// for — usually within a second, as an "Expected false to be true" error or a segmentation fault; guarded (the
/// default) it must run clean for as long as asked.
/// </summary>
internal static class GcStress
{
    /// <summary>The workloads: <c>scalars</c> (implicit Scalars and scope-less temporaries, the raw races) and
    /// <c>adam</c> (training steps of the Test preset with TorchSharp's own Adam, where the two long runs died).</summary>
    public static readonly string[] Workloads = ["scalars", "adam"];

    public static int Run(string workload, double seconds, bool guarded)
    {
        Console.WriteLine($"gc-stress: workload {workload}, {(guarded ? "guarded (FinalizerGate)" : "UNGUARDED")}, {seconds:G} s");
        Console.Out.Flush();
        Action<bool> iteration = workload switch
        {
            "scalars" => ScalarIteration(),
            "adam" => AdamIteration(),
            _ => throw new ArgumentException($"--workload {workload}: expected one of {string.Join(", ", Workloads)}"),
        };
        var clock = Stopwatch.StartNew();
        long iterations = 0;
        using var pressure = new GcPressure();
        try
        {
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                iteration(guarded);
                iterations++;
            }
        }
        catch (Exception e) when (e is System.Runtime.InteropServices.ExternalException or InvalidOperationException)
        {
            Console.WriteLine($"gc-stress: FAILED after {iterations} iterations, {clock.Elapsed.TotalSeconds:F1} s, " +
                              $"{pressure.Collections} forced collections: {e.Message.Split('\n')[0]}");
            return 3;
        }
        Console.WriteLine($"gc-stress: ok, {iterations} iterations in {clock.Elapsed.TotalSeconds:F1} s, " +
                          $"{pressure.Collections} forced collections");
        return 0;
    }

    // 1000 calls that each pass an implicit Scalar (-1e-6) and 1000 that each pass a tensor temporary outside any
    // dispose scope: the two ways a wrapper dies while libtorch still reads it.
    private static Action<bool> ScalarIteration()
    {
        var p = zeros(64);
        var a = ones(64);
        var b = full(64, 2.0f);
        return guarded =>
        {
            using (guarded ? FinalizerGate.Enter() : default(FinalizerGate.Hold?))
            {
                for (int i = 0; i < 1000; i++) p.addcdiv_(a, b, value: -1e-6);
                for (int i = 0; i < 1000; i++) p.addcmul_(a, b.abs(), value: 0.0);
            }
        };
    }

    private static Action<bool> AdamIteration()
    {
        TorchRuntime.Seed(0);
        var config = KbSrConfig.Test;
        var network = ModelRegistry.Create(config);
        var pca = KernelPca.ForDistribution(KernelDistribution.Isotropic(0.2, 4.0, config.KernelSize),
            dims: Math.Min(config.Loss.PcaDims, config.KernelSize * config.KernelSize));
        var loss = new KbSrLoss(config.Loss, pca);
        var optimizer = optim.Adam(network.parameters(), lr: 1e-4);
        var generator = TorchRuntime.Generator(0);
        var hr = rand(new long[] { 2, config.ImageChannels, 8 * config.Scale, 8 * config.Scale }, generator: generator);
        var (kernels, _) = new KernelSampler(KernelDistribution.Isotropic(0.2, 4.0, config.KernelSize)).Sample(2, generator);
        var lr = Degrader.Degrade(hr, kernels, config.Scale);
        return guarded =>
        {
            if (guarded) TrainingStep.Run(network, loss, optimizer, hr, lr, kernels);
            else TrainingStep.RunUnguarded(network, loss, optimizer, hr, lr, kernels);
        };
    }
}
