using System.Globalization;

namespace Pipelines.Docker;

/// <summary>
/// Sizes as <c>docker run --shm-size</c> reads them (Docker's <c>RAMInBytes</c>): a number, an optional
/// space, and an optional unit <c>b</c>, <c>k</c>, <c>m</c>, <c>g</c>, <c>t</c> or <c>p</c> with an optional
/// <c>i</c> and <c>b</c>, in any case. Every unit is binary, as Docker reads it: <c>1g</c> = <c>1G</c> =
/// <c>1GiB</c> = <c>1Gi</c> = 1024³ bytes, so Kubernetes' binary quantities (<c>256Mi</c>) mean the same here.
/// </summary>
public static class DockerSize
{
    /// <summary>What a valid size looks like, for messages.</summary>
    public const string Expected =
        "a size as 'docker run --shm-size' takes it: bytes (1048576) or a number with a binary unit k, m, g, t or p (64k, 512m, 1g, 1.5g; also 1GB, 1GiB and Kubernetes' 1Gi)";

    /// <summary>Parses a size to bytes, cut to whole bytes as Docker does.</summary>
    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var end = 0;
        while (end < text.Length && (char.IsAsciiDigit(text[end]) || text[end] == '.'))
        {
            end++;
        }

        // Digits, then at most one fraction: 1, 1.5 (not .5, 1., 1.2.3).
        var number = text[..end];
        var dot = number.IndexOf('.', StringComparison.Ordinal);
        if (number.Length == 0 || dot == 0 || dot == number.Length - 1 || number.Count(c => c == '.') > 1)
        {
            return false;
        }

        var unit = text[end..];
        if (unit.StartsWith(' '))
        {
            unit = unit[1..];
        }

        var multiplier = Multiplier(unit.ToLowerInvariant());
        if (multiplier is null || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        try
        {
            var total = value * multiplier.Value;
            if (total > long.MaxValue)
            {
                return false;
            }

            bytes = (long)decimal.Truncate(total);
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    private static decimal? Multiplier(string unit)
    {
        if (unit is "" or "b")
        {
            return 1;
        }

        var power = "kmgtp".IndexOf(unit[0], StringComparison.Ordinal);
        if (power < 0 || unit[1..] is not ("" or "b" or "i" or "ib"))
        {
            return null;
        }

        var multiplier = 1m;
        for (var i = 0; i <= power; i++)
        {
            multiplier *= 1024;
        }

        return multiplier;
    }
}
