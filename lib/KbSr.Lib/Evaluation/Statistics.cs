namespace KbSr.Evaluation;

/// <summary>Rank statistics for result tables.</summary>
public static class Statistics
{
    /// <summary>Spearman's rank correlation ρ of two equally long samples: Pearson's correlation of their ranks, ties
    /// given their mean rank. NaN when either sample is constant (a ρ is then undefined) or has fewer than 2 values.</summary>
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count) throw new ArgumentException($"samples of {x.Count} and {y.Count} values: expected equal lengths");
        if (x.Count < 2) return double.NaN;
        var rx = Ranks(x);
        var ry = Ranks(y);
        double mx = rx.Average(), my = ry.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < rx.Length; i++)
        {
            sxy += (rx[i] - mx) * (ry[i] - my);
            sxx += (rx[i] - mx) * (rx[i] - mx);
            syy += (ry[i] - my) * (ry[i] - my);
        }
        return sxx == 0 || syy == 0 ? double.NaN : sxy / Math.Sqrt(sxx * syy);
    }

    /// <summary>1-based ranks; tied values share the mean of the ranks they span.</summary>
    public static double[] Ranks(IReadOnlyList<double> values)
    {
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]]) end++;
            double mean = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++) ranks[order[k]] = mean;
            start = end + 1;
        }
        return ranks;
    }
}
