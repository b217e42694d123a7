namespace KbSr.Model;

/// <summary>What eq. 3 asks of each stage's provisional SR_t. Only SR_mid is compared with HR; SR_T only through its
/// pseudo-LR PLR_T (its blurred, downscaled version must match the LR input, which leaves what the blur and the
/// downscaling remove free); every other SR_t only feeds D_t. So PSNR of SR_t against HR is not expected to rise
/// with t, and tables and charts of it say which stages are supervised.</summary>
public static class StageSupervision
{
    public enum Role
    {
        /// <summary>Only feeds D_t; nothing compares it with HR or LR.</summary>
        FeedsDifferenceOnly,
        /// <summary>SR_T: its pseudo-LR is compared with the LR input (eq. 3's second term).</summary>
        ThroughPseudoLr,
        /// <summary>SR_mid: compared with HR (eq. 3's third term).</summary>
        AgainstHr,
    }

    /// <summary>The role of stage <paramref name="t"/> (1-based) in a network of <paramref name="stages"/> stages.</summary>
    public static Role Of(int t, int stages)
    {
        if (t < 1 || t > stages) throw new ArgumentOutOfRangeException(nameof(t), t, $"expected a stage in 1..{stages}");
        if (t == KbSrConfig.MidStageOf(stages)) return Role.AgainstHr;
        return t == stages ? Role.ThroughPseudoLr : Role.FeedsDifferenceOnly;
    }

    /// <summary>One line for a reader of per-stage PSNR, e.g. for T = 4: "SR_2 is eq. 3's SR_mid, trained against HR;
    /// SR_4 is trained only through its pseudo-LR; SR_1, SR_3 only feed D_t, so their PSNR is not meant to be high".</summary>
    public static string Describe(int stages)
    {
        var roles = Enumerable.Range(1, stages).Select(t => (t, role: Of(t, stages))).ToList();
        string Names(Role role) => string.Join(", ", roles.Where(r => r.role == role).Select(r => $"SR_{r.t}"));
        var parts = new List<string> { $"{Names(Role.AgainstHr)} is eq. 3's SR_mid, trained against HR" };
        if (roles.Any(r => r.role == Role.ThroughPseudoLr)) parts.Add($"{Names(Role.ThroughPseudoLr)} is trained only through its pseudo-LR");
        string text = string.Join("; ", parts);
        if (roles.Any(r => r.role == Role.FeedsDifferenceOnly))
            text += $"; {Names(Role.FeedsDifferenceOnly)} only feed D_t, so their PSNR is not meant to be high";
        return text + " (docs/method.md §4)";
    }

    public static string Describe(KbSrConfig config) => Describe(config.Stages);
}
