namespace KbSr.Model.Baselines;

/// <summary>
/// Hyperparameters of a Table-1 comparison network (method.md §7), held in <see cref="KbSrConfig.Baseline"/>;
/// scale, kernel size and image channels come from the enclosing <see cref="KbSrConfig"/>, and the length t of
/// the kernel code from <c>Loss.PcaDims</c>: the code is the kernel's projection on the PCA stored with the weights.
/// Each field names what it means in each network; unused fields are ignored by that network.
/// </summary>
public sealed record BaselineConfig
{
    /// <summary>Feature channels: SRCNN's n1 (64), SRMD's 128, SRResNet's and SFTMD's nf (64).</summary>
    public int Channels { get; init; } = 64;

    /// <summary>SRMD: conv layers in all (12). SRResNet, SFTMD: residual blocks (16).</summary>
    public int Blocks { get; init; } = 16;

    /// <summary>SRCNN: n2, the width of the 1×1 mapping layer (32). SFTMD: the SFT layers' hidden width (32).</summary>
    public int Hidden { get; init; } = 32;

    /// <summary>IKC: width of the Predictor's and Corrector's convs (64).</summary>
    public int EstimatorWidth { get; init; } = 64;

    /// <summary>IKC: number of SFTMD → Corrector iterations at test time and in Corrector training (7 in IKC's code).</summary>
    public int Iterations { get; init; } = 7;

    /// <summary>Negative slope of the LeakyReLUs (IKC: 0.2).</summary>
    public double Slope { get; init; } = 0.2;

    public void Validate()
    {
        if (Channels < 1 || Blocks < 1 || Hidden < 1 || EstimatorWidth < 1)
            throw new ArgumentException($"baseline channels, blocks, hidden and estimatorWidth must be ≥ 1; got {Channels}, {Blocks}, {Hidden}, {EstimatorWidth}");
        if (Iterations < 1) throw new ArgumentException($"baseline iterations must be ≥ 1; got {Iterations}");
        if (!(Slope >= 0) || !double.IsFinite(Slope)) throw new ArgumentException($"baseline slope must be finite and ≥ 0; got {Slope}");
    }
}
