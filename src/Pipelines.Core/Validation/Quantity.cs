using System.Globalization;

namespace Pipelines.Validation;

/// <summary>
/// Kubernetes resource quantities (<c>500m</c>, <c>1</c>, <c>1.5Gi</c>, <c>2e3</c>), as the API
/// server parses them: a signed decimal number and an optional binary (Ki…Ei), decimal (m, k, M…E)
/// or exponent (e3) suffix.
/// </summary>
public static class Quantity
{
    /// <summary>What a valid quantity looks like, for messages.</summary>
    public const string Expected = "a Kubernetes quantity such as 500m, 1, 1.5, 512Mi, 2Gi or 2e3 (binary suffixes Ki Mi Gi Ti Pi Ei, decimal m k M G T P E)";

    /// <summary>Parses a quantity to its value (cores or bytes).</summary>
    public static bool TryParse(string? text, out decimal value)
    {
        value = 0;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var i = 0;
        if (text[0] is '+' or '-')
        {
            i++;
        }

        var sawDigit = false;
        var sawDot = false;
        while (i < text.Length && (char.IsAsciiDigit(text[i]) || (text[i] == '.' && !sawDot)))
        {
            sawDot |= text[i] == '.';
            sawDigit |= text[i] != '.';
            i++;
        }

        if (!sawDigit || !decimal.TryParse(text.AsSpan(0, i), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        var suffix = text[i..];
        decimal multiplier;
        switch (suffix)
        {
            case "": multiplier = 1; break;
            case "m": multiplier = 0.001m; break;
            case "k": multiplier = 1e3m; break;
            case "M": multiplier = 1e6m; break;
            case "G": multiplier = 1e9m; break;
            case "T": multiplier = 1e12m; break;
            case "P": multiplier = 1e15m; break;
            case "E": multiplier = 1e18m; break;
            case "Ki": multiplier = 1024m; break;
            case "Mi": multiplier = 1024m * 1024; break;
            case "Gi": multiplier = 1024m * 1024 * 1024; break;
            case "Ti": multiplier = 1024m * 1024 * 1024 * 1024; break;
            case "Pi": multiplier = 1024m * 1024 * 1024 * 1024 * 1024; break;
            case "Ei": multiplier = 1024m * 1024 * 1024 * 1024 * 1024 * 1024; break;
            default:
                if (suffix.Length < 2 || suffix[0] is not ('e' or 'E')
                    || !int.TryParse(suffix.AsSpan(1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var exponent)
                    || exponent is < -18 or > 18)
                {
                    return false;
                }

                multiplier = 1;
                for (var e = 0; e < Math.Abs(exponent); e++)
                {
                    multiplier = exponent > 0 ? multiplier * 10 : multiplier / 10;
                }

                break;
        }

        try
        {
            value = number * multiplier;
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    /// <summary>True when <paramref name="text"/> is a quantity Kubernetes accepts for a resource (not negative).</summary>
    public static bool IsValidResource(string? text) => TryParse(text, out var value) && value >= 0;
}
