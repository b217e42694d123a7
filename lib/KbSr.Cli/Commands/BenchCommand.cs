using System.CommandLine;
using System.Diagnostics;
using KbSr.Degradation;
using KbSr.Model;
using KbSr.Runtime;
using KbSr.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace KbSr.Cli.Commands;

/// <summary>
/// `kbsr bench`: per preset, the median time of a training step (forward + eq. 3 + backward + Adam) on random
/// data, inference time per LR megapixel, analytic FLOPs per forward and the FLOP/s achieved, and the process's
/// peak (VmHWM) and current (VmRSS) memory, with the growth of RSS over the timed steps.
/// </summary>
internal static class BenchCommand
{
    public static Command Build()
    {
        var preset = new Option<string>("--preset") { Description = "Small, Paper or both", DefaultValueFactory = _ => "both" };
        var steps = new Option<int>("--steps") { Description = "timed training steps per preset (after 2 warm-up steps)", DefaultValueFactory = _ => 10 };
        var batch = new Option<int>("--batch") { Description = "LR patches per step", DefaultValueFactory = _ => 8 };
        var lrSize = new Option<int>("--lr-size") { Description = "side of the square LR patches", DefaultValueFactory = _ => 24 };
        var profile = new Option<bool>("--profile") { Description = "also print where a training step and inference spend their time, per block type" };
        var ab = new Option<bool>("--ab") { Description = "also time the literal and the fast forms of the network, interleaved step by step (their ratio is robust to a busy machine)" };
        var srWeights = new Option<string?>("--sr-weights") { Description = "also time `kbsr sr` end to end on a 480×320 LR test image with these weights (default: data/weights/kbsr-small.ckpt when present; 'none' skips)" };
        var rssSteps = new Option<int>("--rss-steps") { Description = "also run this many more steps and print VmRSS along the way (memory stays flat?)" };
        var command = new Command("bench", "Time training steps and inference of the network presets on this machine");
        command.Options.Add(preset);
        command.Options.Add(steps);
        command.Options.Add(batch);
        command.Options.Add(lrSize);
        command.Options.Add(profile);
        command.Options.Add(rssSteps);
        command.Options.Add(ab);
        command.Options.Add(srWeights);
        command.SetAction(parse =>
        {
            string which = parse.GetValue(preset)!;
            string[] presets = which.Equals("both", StringComparison.OrdinalIgnoreCase) ? ["Small", "Paper"] : [which];
            int n = parse.GetValue(steps), b = parse.GetValue(batch), size = parse.GetValue(lrSize), rss = parse.GetValue(rssSteps);
            if (n < 1 || b < 1 || size < 1 || rss < 0) { Console.Error.WriteLine("--steps, --batch and --lr-size must be ≥ 1, --rss-steps ≥ 0"); return 2; }
            var device = TorchRuntime.SelectDevice();
            Console.WriteLine($"device {device}, threads {get_num_threads()}, batch {b} of {size}×{size} LR, {n} timed steps");
            double matmulPeak = BenchPeak.MatmulGflops(device);
            var peaks = presets.Select(name =>
            {
                var c = KbSrConfig.Preset(name);
                var g = ProjectionGeometry.Of(c.Scale);
                return BenchPeak.ConvGflops(device, b, c.Channels, size * c.Scale, g.KernelSize, g.Stride, g.Padding);
            }).ToArray();
            Console.WriteLine($"machine peak (best of 7, same threads): fp32 2048² matmul {matmulPeak:F1} GFLOP/s; " +
                              string.Join("; ", presets.Select((name, i) => $"{name}'s Down conv ({KbSrConfig.Preset(name).Channels} ch, {size * KbSrConfig.Preset(name).Scale}² HR, batch {b}) {peaks[i]:F1} GFLOP/s")));
            Console.WriteLine($"{"preset",-7} {"params",11} {"step ms",9} {"min ms",8} {"synth ms",9} {"synth %",8} {"ms/LR MP",10} {"GFLOP/fwd",10} {"GFLOP/s trn",12} {"GFLOP/s inf",12} {"trn/mm",7} {"trn/conv",9} {"VmHWM MiB",10} {"RSS growth",11}");
            using var images = BenchImages(size * presets.Max(name => KbSrConfig.Preset(name).Scale), out string imageSource);
            for (int i = 0; i < presets.Length; i++)
                Run(presets[i], KbSrConfig.Preset(presets[i]), n, b, size, device, images, matmulPeak, peaks[i], parse.GetValue(profile), rss, parse.GetValue(ab));
            SrEndToEnd(parse.GetValue(srWeights));
            Console.WriteLine($"synth = one synthetic training batch (crops, flips, kernels, blur, bicubic ↓s, 8-bit) from {imageSource};");
            Console.WriteLine("synth % = its share of synth + step, i.e. of a training step without background prefetching;");
            Console.WriteLine("step = zero_grad + forward + eq. 3 + backward + Adam, median; GFLOP/s trn counts 3× the forward FLOPs per step;");
            Console.WriteLine("ms/LR MP = no-grad forward of the same batch per LR megapixel; RSS growth = VmRSS after the last step − after warm-up;");
            Console.WriteLine("trn/mm, trn/conv = GFLOP/s trn as a fraction of the matmul peak and of the preset's Down-conv rate above.");
            return 0;
        });
        return command;
    }

    /// <summary>HR images for the synthesis timing: T91 from the data root when present, else the test chart; both at
    /// least <paramref name="hrPatch"/> on a side so the crops fit.</summary>
    private static HrImageCache BenchImages(int hrPatch, out string source)
    {
        try
        {
            source = "T91";
            return HrImageCache.Load([KbSr.Data.DataRoot.SetFolder("T91")], minSize: hrPatch, warn: _ => { });
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or InvalidDataException or UnauthorizedAccessException)
        {
            source = "the built-in test chart (no T91 under the data root)";
            var cache = new HrImageCache();
            using var chart = KbSr.Imaging.TestChart.Make(Math.Max(256, hrPatch));
            cache.Add(KbSr.Imaging.RgbImage.FromTensor(chart), "chart");
            return cache;
        }
    }

    private static double SynthesisMilliseconds(HrImageCache images, KbSrConfig config, int batch, int size, Device device, int repeats)
    {
        var source = new SyntheticBatchSource(images, new BatchOptions(batch, size * config.Scale, config.Scale,
            KernelDistribution.Isotropic(0.2, 4.0, config.KernelSize)), seed: 0);
        source.Get(0, device).Dispose();                       // warm-up: bicubic matrices, allocator
        var times = new List<double>();
        for (int i = 1; i <= repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            using var b = source.Get(i, device);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        return Median(times);
    }

    private static void Run(string name, KbSrConfig config, int steps, int batch, int size, Device device, HrImageCache images,
                            double matmulPeak, double convPeak, bool profile, int rssSteps, bool ab)
    {
        TorchRuntime.Seed(0);
        using var network = ModelRegistry.Create(config);
        network.to(device);
        using var pca = KernelPca.ForDistribution(KernelDistribution.Isotropic(0.2, 4.0, config.KernelSize), dims: Math.Min(config.Loss.PcaDims, config.KernelSize * config.KernelSize));
        var loss = new KbSrLoss(config.Loss, pca);
        using var optimizer = optim.Adam(network.parameters(), lr: 1e-4);
        using var generator = TorchRuntime.Generator(0);
        using var data = NewDisposeScope();
        int hrSize = size * config.Scale;
        var hr = rand(new long[] { batch, config.ImageChannels, hrSize, hrSize }, generator: generator).to(device);
        var (kernels, _) = new KernelSampler(KernelDistribution.Isotropic(0.2, 4.0, config.KernelSize)).Sample(batch, generator);
        kernels = kernels.to(device);
        var lr = Degrader.Degrade(hr, kernels, config.Scale);

        for (int i = 0; i < 2; i++) TrainingStep.Run(network, loss, optimizer, hr, lr, kernels);
        long rssBefore = ProcessMemory("VmRSS");
        var times = new List<double>();
        for (int i = 0; i < steps; i++)
        {
            var clock = Stopwatch.StartNew();
            TrainingStep.Run(network, loss, optimizer, hr, lr, kernels);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        long rssAfter = ProcessMemory("VmRSS");

        var inference = new List<double>();
        using (no_grad())
        {
            network.eval();
            for (int i = 0; i < Math.Max(3, Math.Min(steps, 5)); i++)
            {
                var clock = Stopwatch.StartNew();
                using var sr = network.call(lr);
                inference.Add(clock.Elapsed.TotalMilliseconds);
            }
            network.train();
        }
        double median = Median(times), inferenceMedian = Median(inference);
        double synthesis = SynthesisMilliseconds(images, config, batch, size, device, Math.Max(5, steps));
        double flops = ModelComplexity.ForwardFlops(config, size, size) * batch;
        double megapixels = batch * (double)size * size / 1e6;
        long parameters = network.parameters().Sum(p => p.numel());
        double trainRate = 3 * flops / (median / 1e3) / 1e9;
        Console.WriteLine($"{name,-7} {parameters,11:N0} {median,9:F1} {times.Min(),8:F1} {synthesis,9:F1} {100 * synthesis / (synthesis + median),7:F1}% {inferenceMedian / megapixels,10:F0} {flops / 1e9,10:F2} " +
                          $"{trainRate,12:F1} {flops / (inferenceMedian / 1e3) / 1e9,12:F1} {trainRate / matmulPeak,7:P0} {trainRate / convPeak,9:P0} " +
                          $"{ProcessMemory("VmHWM") / 1024.0,10:F0} {(rssAfter - rssBefore) / 1024.0,8:F1} MiB");
        if (profile) BenchProfile.Print(name, network, loss, optimizer, hr, lr, kernels, repeats: Math.Max(3, Math.Min(steps, 5)));
        if (ab) AbSteps(network, loss, optimizer, hr, lr, kernels, steps);
        if (rssSteps > 0) RssOverSteps(network, loss, optimizer, hr, lr, kernels, rssSteps);
    }

    /// <summary>Literal (A) and fast (B) forms alternated step by step, training and inference; medians and B/A.</summary>
    private static void AbSteps(KbSrNet network, KbSrLoss loss, optim.Optimizer optimizer, Tensor hr, Tensor lr, Tensor kernels, int pairs)
    {
        var train = new[] { new List<double>(), new List<double>() };
        var infer = new[] { new List<double>(), new List<double>() };
        try
        {
            for (int i = 0; i < pairs; i++)
                foreach (int form in new[] { 0, 1 })
                {
                    FastForms.Enabled = form == 1;
                    var clock = Stopwatch.StartNew();
                    TrainingStep.Run(network, loss, optimizer, hr, lr, kernels);
                    train[form].Add(clock.Elapsed.TotalMilliseconds);
                    using var _ = no_grad();
                    network.eval();
                    clock.Restart();
                    using (var sr = network.call(lr)) infer[form].Add(clock.Elapsed.TotalMilliseconds);
                    network.train();
                }
        }
        finally { FastForms.Enabled = true; }
        Console.WriteLine($"  A/B over {pairs} interleaved pairs, literal → fast forms: training step {Median(train[0]):F1} → {Median(train[1]):F1} ms " +
                          $"(×{Median(train[0]) / Median(train[1]):F2}; median pair ratio ×{Median(train[0].Zip(train[1], (x, y) => x / y).ToList()):F2}), inference {Median(infer[0]):F1} → {Median(infer[1]):F1} ms (×{Median(infer[0]) / Median(infer[1]):F2})");
    }

    /// <summary>`kbsr sr` on a 480×320 LR image (the test chart), run in this process exactly as the command runs;
    /// it prints its own time per phase (decode, load, network, encode).</summary>
    private static void SrEndToEnd(string? weights)
    {
        if (weights is not null && weights.Equals("none", StringComparison.OrdinalIgnoreCase)) return;
        weights ??= File.Exists(Path.Combine("data", "weights", "kbsr-small.ckpt")) ? Path.Combine("data", "weights", "kbsr-small.ckpt") : null;
        if (weights is null)
        {
            Console.WriteLine("kbsr sr end to end: skipped (no --sr-weights, no data/weights/kbsr-small.ckpt here)");
            return;
        }
        string folder = Directory.CreateTempSubdirectory("kbsr-bench-sr-").FullName;
        try
        {
            string input = Path.Combine(folder, "lr480x320.png");
            using (var scope = NewDisposeScope())
                KbSr.Imaging.ImageFile.WritePng(KbSr.Imaging.RgbImage.FromTensor(KbSr.Imaging.TestChart.Make(480)[.., ..320, ..].contiguous()), input);
            Console.WriteLine($"kbsr sr {input} --weights {weights} (480×320 LR test chart):");
            var clock = Stopwatch.StartNew();
            int rc = SrCommand.Build().Parse([input, "--weights", weights, "--out", Path.Combine(folder, "sr.png")]).Invoke();
            Console.WriteLine($"kbsr sr end to end: {clock.Elapsed.TotalSeconds:F2} s in this process (exit {rc}; a fresh process adds its start-up)");
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    /// <summary>VmRSS every tenth of <paramref name="count"/> further steps: a leak shows as steady growth.</summary>
    private static void RssOverSteps(KbSrNet network, KbSrLoss loss, optim.Optimizer optimizer, Tensor hr, Tensor lr, Tensor kernels, int count)
    {
        long start = ProcessMemory("VmRSS");
        var marks = new List<string>();
        for (int i = 1; i <= count; i++)
        {
            TrainingStep.Run(network, loss, optimizer, hr, lr, kernels);
            if (i % Math.Max(1, count / 10) == 0) marks.Add($"{i}: {ProcessMemory("VmRSS") / 1024.0:F0}");
        }
        Console.WriteLine($"  VmRSS over {count} more steps (step: MiB): start {start / 1024.0:F0}, {string.Join(", ", marks)}; growth {(ProcessMemory("VmRSS") - start) / 1024.0:F1} MiB, VmHWM {ProcessMemory("VmHWM") / 1024.0:F0} MiB");
    }

    private static double Median(List<double> values) => BenchProfile.Median(values);

    /// <summary>A /proc/self/status field in KiB (Linux); −1 elsewhere.</summary>
    private static long ProcessMemory(string field)
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return -1;
        foreach (string line in File.ReadLines(status))
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        return -1;
    }
}
