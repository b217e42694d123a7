namespace KbSr.Model;

/// <summary>Analytic cost of one part of the network for one LR image: multiply-add FLOPs (2 per MAC) of its convs,
/// deconvs, blur and bicubic matmuls, and the number of float32 activation elements autograd keeps for backward
/// (every conv/deconv output and its activation's output: a rough estimate, not a measurement).</summary>
public sealed record BlockCost(string Block, string Part, double Flops, double ActivationElements);

/// <summary>
/// FLOPs and activation-memory estimates of <see cref="KbSrNet"/> counted from the layer shapes of a
/// <see cref="KbSrConfig"/> (docs/method.md §2–§3) for a given LR size, per block (extract, initial_estimator,
/// stages.t/part, reconstruct). Elementwise ops, softmax and pooling are not counted (negligible next to the convs).
/// </summary>
public static class ModelComplexity
{
    public static IReadOnlyList<BlockCost> Estimate(KbSrConfig config, int lrHeight, int lrWidth)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        return EstimateUnchecked(config, lrHeight, lrWidth);
    }

    /// <summary><see cref="Estimate"/> for a config whose fields are in range but whose size is not yet checked
    /// (<see cref="KbSrConfig.Validate"/> bounds the size with it).</summary>
    internal static IReadOnlyList<BlockCost> EstimateUnchecked(KbSrConfig config, int lrHeight, int lrWidth)
    {
        var g = ProjectionGeometry.Of(config.Scale);
        double h = lrHeight, w = lrWidth, s = config.Scale, hw = h * w, sHW = s * s * hw;
        int c = config.Channels, img = config.ImageChannels, k2 = config.KernelSize * config.KernelSize;
        double Conv(double cin, double cout, double kernel, double outPixels) => 2 * cin * cout * kernel * kernel * outPixels;
        var costs = new List<BlockCost>();
        void Add(string block, string part, double flops, double elements) => costs.Add(new(block, part, flops, elements));

        Add("extract", "convs", Conv(img, config.InitialChannels, 3, hw) + Conv(config.InitialChannels, c, 1, hw),
            2 * (config.InitialChannels + c) * hw);
        double h2 = Math.Ceiling(h / 2) * Math.Ceiling(w / 2), ew = config.EstimatorWidth;
        Add("initial_estimator", "convs",
            Conv(img, ew, 5, hw) + 2 * Conv(ew, ew, 5, hw) + Conv(ew, ew, 5, h2) + Conv(ew, ew, 5, h2) + Conv(ew, k2, 5, h2),
            2 * (3 * ew * hw + 2 * ew * h2 + k2 * h2));
        for (int t = 1; t <= config.Stages; t++)
        {
            string block = $"stages.{t - 1}";
            double projection = Conv(c, c, g.KernelSize, hw);   // a conv HR→LR and a deconv LR→HR cost the same
            Add(block, "up", 3 * projection, 2 * c * (2 * sHW + hw));
            bool last = t == config.Stages;   // module T has no Down/SFT (see KbModule)
            if (!last) Add(block, "down", 3 * projection, 2 * c * (2 * hw + sHW));
            Add(block, "sr_head", Conv(t * c, img, 3, sHW), t * c * sHW + img * sHW);
            double fuseIn = c + k2 + (config.DifferenceToEstimator ? img : 0);
            double fusePixels = config.PerPixelKernel ? hw : 1;
            Add(block, "estimator", Conv(t * c, c, g.KernelSize, hw) + 2 * Conv(c, c, 1, hw) + Conv(fuseIn, k2, 1, fusePixels),
                5 * c * hw + (fuseIn + k2) * fusePixels);
            if (!last) Add(block, "sft", 2 * Conv(c + img, config.SftHidden, 3, hw) + 2 * Conv(config.SftHidden, c, 3, hw),
                (c + img) * hw + 4 * config.SftHidden * hw + 3 * c * hw);
            if (config.KernelSft && !last)
                Add(block, "kernel_sft", 2 * Conv(c + k2, config.SftHidden, 3, hw) + 2 * Conv(config.SftHidden, c, 3, hw),
                    (c + k2) * hw + 4 * config.SftHidden * hw + 3 * c * hw);
            // Blur: k² MACs per HR pixel and channel; bicubic ↓s: X·W_Wᵀ then W_H·(…), dense matrices.
            double blur = 2 * k2 * img * sHW;
            double bicubic = 2 * img * (s * h * (s * w) * w + h * (s * h) * w);
            Add(block, "pseudo_lr", blur + bicubic, img * (sHW + s * h * w + 2 * hw));
        }
        if (!config.FinalFromLastStage) Add("reconstruct", "conv", Conv(config.Stages * c, img, 3, sHW), img * sHW);
        return costs;
    }

    /// <summary>Total FLOPs of one forward pass for one LR image of <paramref name="lrHeight"/>×<paramref name="lrWidth"/>.</summary>
    public static double ForwardFlops(KbSrConfig config, int lrHeight, int lrWidth) =>
        Estimate(config, lrHeight, lrWidth).Sum(b => b.Flops);

    /// <summary>Parameter count per block, named as in <see cref="Estimate"/> ("extract", "stages.3", ...), of <paramref name="network"/>.</summary>
    public static IReadOnlyList<(string Block, long Parameters)> ParametersPerBlock(KbSrNet network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var blocks = new List<(string, long)>();
        foreach (var (name, p) in network.named_parameters())
        {
            string[] parts = name.Split('.');
            string block = parts[0] switch
            {
                "stages" => $"stages.{parts[1]}",
                "extract_conv" or "extract_act" or "reduce_conv" or "reduce_act" => "extract",   // as in Estimate
                _ => parts[0],
            };
            if (blocks.Count > 0 && blocks[^1].Item1 == block) blocks[^1] = (block, blocks[^1].Item2 + p.numel());
            else blocks.Add((block, p.numel()));
        }
        return blocks;
    }
}
