using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Mirror.Gateway.Diagnostics;

namespace Mirror.Gateway.Status;

/// <summary>
/// The status page: one server-rendered HTML document with its style and its chart (inline SVG) in it, no
/// scripts and no external assets, so it works on an offline network; it reloads itself every
/// <see cref="RefreshSeconds"/>. Every value from outside (repository names, errors) is HTML-encoded.
/// </summary>
internal static class StatusPage
{
    public const int RefreshSeconds = 15;

    private const string Style = """
        body{font:14px/1.4 system-ui,sans-serif;margin:1.5em auto;max-width:70em;padding:0 1em;color:#222}
        h1{margin:0}h2{font-size:1.05em;margin:1.4em 0 .4em;border-bottom:1px solid #ddd}
        table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.15em .6em .15em 0;vertical-align:top}
        th{font-weight:600;color:#555}.num{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#777}
        .ok{color:#18794e}.down{color:#c62828}.big{font-size:1.6em;font-weight:600}
        .bar{background:#eee;height:.9em;border-radius:.2em;overflow:hidden;max-width:30em}.bar>div{background:#3b82f6;height:100%}
        .cols{display:flex;gap:2em;flex-wrap:wrap}.cols>div{flex:1;min-width:22em}
        """;

    public static string Render(StatusReport report)
    {
        var html = new Html();
        html.Raw($"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"{RefreshSeconds}\">");
        html.Raw($"<title>Mirror status</title><style>{Style}</style></head><body>");
        html.Raw("<h1>Mirror</h1><p class=\"muted\">").Text($"at {report.At:u}, up {Duration(report.Uptime)}; facts also at ").Raw("<a href=\"/status.json\">/status.json</a></p>");
        Upstreams(html, report.Upstreams);
        Traffic(html, report.Traffic, report.LastHour);
        Store(html, report.Store);
        html.Raw("<section id=\"top\"><h2>Top repositories, last 24 hours</h2><div class=\"cols\"><div>");
        Activity(html, "by pulls", report.TopByPulls);
        html.Raw("</div><div>");
        Activity(html, "by bytes", report.TopByBytes);
        html.Raw("</div></div></section>");
        Pulls(html, report.LastPulls);
        Fills(html, report.Fills);
        Refusals(html, report.Refusals);
        Watched(html, report.Watch);
        return html.Raw("</body></html>").ToString();
    }

    private static void Upstreams(Html html, IReadOnlyList<UpstreamState> upstreams)
    {
        html.Raw("<section id=\"upstreams\"><h2>Upstreams</h2><table><tr><th>registry</th><th>from</th><th>state</th><th>pull quota</th></tr>");
        foreach (var upstream in upstreams)
        {
            html.Raw("<tr><td>").Text(upstream.Host).Raw("</td><td>").Text(upstream.RemoteUrl).Raw($"</td><td class=\"{(upstream.Reachable ? "ok" : "down")}\">")
                .Text(upstream.Detail).Raw("</td><td class=\"quota\">");
            Quota(html, upstream.Quota);
            html.Raw("</td></tr>");
        }

        html.Raw("</table></section>");
    }

    /// <summary>
    /// The quota's cell: pulls left of the limit per window (Docker Hub's <c>ratelimit-*</c> headers), what the
    /// mirror spent in the window, and the hold on manifest GETs while there is one.
    /// </summary>
    private static void Quota(Html html, QuotaState? quota)
    {
        if (quota is null)
        {
            html.Text("-");
            return;
        }

        var window = Duration(TimeSpan.FromSeconds(quota.WindowSeconds));
        html.Text($"{quota.Remaining?.ToString(CultureInfo.InvariantCulture) ?? "?"} of {quota.Limit?.ToString(CultureInfo.InvariantCulture) ?? "?"} pulls left per {window}");
        html.Text(quota.SaidAt is { } at ? $" (said {at:u}" : " (").Text(quota.Source is { } source ? $", for {source})" : ")");
        html.Text($"; the mirror spent {quota.Spent} in the last {window}.");
        if (quota.Held)
        {
            html.Raw(" <span class=\"down\" id=\"quota-held\">").Text($"Manifest GETs held back until {quota.HeldUntil:u}: {quota.HeldReason}.").Raw("</span>");
        }
    }

    private static void Traffic(Html html, MinuteTraffic traffic, IReadOnlyList<MinuteTraffic> lastHour)
    {
        html.Raw("<section id=\"traffic\"><h2>Traffic since start</h2><p>");
        html.Raw("<span class=\"big\" id=\"hit-ratio\">").Text(Percent(traffic.HitRatio)).Raw("</span> of requests served from the store (")
            .Text($"{traffic.Hits:N0} hits, {traffic.Misses:N0} misses of {traffic.Requests:N0} requests); ")
            .Raw("<span class=\"big\" id=\"bytes-saved\">").Text(Percent(traffic.BytesSavedRatio)).Raw("</span> of bytes: ")
            .Raw("<span id=\"bytes-served\">").Text(Bytes(traffic.BytesServed)).Raw("</span> sent to clients, ")
            .Raw("<span id=\"bytes-pulled\">").Text(Bytes(traffic.BytesPulled)).Raw("</span> pulled from upstreams.</p>");
        Chart(html, lastHour);
        html.Raw("</section>");
    }

    private static void Store(Html html, StoreState store)
    {
        html.Raw("<section id=\"store\"><h2>Store</h2><p><span class=\"big\" id=\"store-size\">").Text(Bytes(store.Bytes)).Raw("</span> ");
        html.Text(store.MaxSize is { } max ? $"of {Bytes(max)} (mirror.maxsize)" : "(no mirror.maxsize)");
        html.Text($" in {store.Blobs:N0} blobs and {store.Manifests:N0} manifests");
        html.Text(store.FreeBytes is { } free ? $"; {Bytes(free)} free on its disk." : ".").Raw("</p>");
        if (store.MaxSize is { } budget && budget > 0)
        {
            html.Raw($"<div class=\"bar\" title=\"share of mirror.maxsize\"><div style=\"width:{Math.Min(100, 100.0 * store.Bytes / budget).ToString("0.#", CultureInfo.InvariantCulture)}%\"></div></div>");
        }

        html.Raw("</section>");
    }

    private static void Pulls(Html html, IReadOnlyList<PullRecord> pulls)
    {
        html.Raw("<section id=\"pulls\"><h2>Last pulls</h2><table><tr><th>when</th><th>repository</th><th>reference</th><th>answer</th><th class=\"num\">bytes</th></tr>");
        foreach (var pull in pulls)
        {
            html.Raw("<tr><td>").Text($"{pull.At:HH:mm:ss}").Raw("</td><td>").Text(pull.Repository).Raw("</td><td>").Text(Short(pull.Reference))
                .Raw("</td><td>").Text(pull.Result).Raw("</td><td class=\"num\">").Text(Bytes(pull.Bytes)).Raw("</td></tr>");
        }

        html.Raw("</table></section>");
    }

    private static void Refusals(Html html, IReadOnlyList<PolicyRefusal> refusals)
    {
        html.Raw("<section id=\"refusals\"><h2>Refused by mirror.policy</h2>");
        if (refusals.Count == 0)
        {
            html.Raw("<p class=\"muted\">none</p></section>");
            return;
        }

        html.Raw("<table><tr><th>when</th><th>registry</th><th>result</th><th>why</th></tr>");
        foreach (var refusal in refusals)
        {
            html.Raw("<tr><td>").Text($"{refusal.At:HH:mm:ss}").Raw("</td><td>").Text(refusal.Upstream).Raw("</td><td>").Text(refusal.Result)
                .Raw("</td><td>").Text(refusal.Reason).Raw("</td></tr>");
        }

        html.Raw("</table></section>");
    }

    private static void Fills(Html html, IReadOnlyList<FillStatus> fills)
    {
        html.Raw("<section id=\"fills\"><h2>Fills in flight</h2>");
        if (fills.Count == 0)
        {
            html.Raw("<p class=\"muted\">none</p></section>");
            return;
        }

        html.Raw("<table><tr><th>repository</th><th>blob</th><th>progress</th><th class=\"num\">rate</th><th class=\"num\">clients</th></tr>");
        foreach (var fill in fills)
        {
            var share = fill.Length is { } length && length > 0 ? 100.0 * fill.Written / length : 0;
            html.Raw("<tr><td>").Text(fill.Repository).Raw("</td><td>").Text(Short(fill.Digest)).Raw("</td><td>")
                .Raw($"<div class=\"bar\"><div style=\"width:{share.ToString("0.#", CultureInfo.InvariantCulture)}%\"></div></div>")
                .Text($"{Bytes(fill.Written)} of {(fill.Length is { } l ? Bytes(l) : "?")}").Raw("</td><td class=\"num\">")
                .Text($"{Bytes((long)fill.BytesPerSecond)}/s").Raw("</td><td class=\"num\">").Text(fill.Clients.ToString(CultureInfo.InvariantCulture)).Raw("</td></tr>");
        }

        html.Raw("</table></section>");
    }

    /// <summary>The watched tags (<c>mirror.watch</c>): last check, digest, whether in the store, last move, and a deferral or failure.</summary>
    private static void Watched(Html html, WatchState watch)
    {
        if (watch.Tags.Count == 0 && watch.PinnedBytes is null)
        {
            return;
        }

        html.Raw("<section id=\"watched\"><h2>Watched images</h2><p class=\"muted\">")
            .Text(watch.Watcher is { } watcher ? $"watched by {watcher}" : "no node watches now")
            .Text(watch.PinnedBytes is { } pinned ? $"; pinned content: {Bytes(pinned)}" : string.Empty).Raw("</p>");
        html.Raw("<table><tr><th>image</th><th>last check</th><th>digest</th><th>in store</th><th>last move</th><th>note</th></tr>");
        foreach (var tag in watch.Tags)
        {
            var note = tag.DeferredUntil is { } until ? $"deferred until {until:u} ({tag.Deferrals} so far): {tag.Deferral}" : tag.Problem ?? string.Empty;
            html.Raw("<tr><td>").Text(tag.Image).Raw("</td><td>").Text(tag.LastCheck is { } at ? $"{at:u}" : "-")
                .Raw("</td><td>").Text(tag.Digest is { } digest ? Short(digest) : "-")
                .Raw($"</td><td class=\"{(tag.InStore ? "ok" : "down")}\">").Text(tag.InStore ? "yes" : "no")
                .Raw("</td><td>").Text(tag.LastMove is { } moved ? $"{moved:u} from {Short(tag.Previous ?? "-")}" : "-")
                .Raw("</td><td>").Text(note).Raw("</td></tr>");
        }

        html.Raw("</table></section>");
    }

    /// <summary>The last hour: a bar per minute for requests, a line for the hit ratio.</summary>
    private static void Chart(Html html, IReadOnlyList<MinuteTraffic> minutes)
    {
        const int width = 600, height = 100;
        var step = (double)width / Math.Max(1, minutes.Count);
        var most = Math.Max(1, minutes.Max(m => m.Requests));
        html.Raw($"<svg id=\"last-hour\" width=\"{width}\" height=\"{height + 20}\" viewBox=\"0 0 {width} {height + 20}\" role=\"img\" aria-label=\"requests and hit ratio, last hour\">");
        html.Raw($"<rect x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\" fill=\"#fafafa\" stroke=\"#ddd\"/>");
        var line = new List<string>();
        for (var i = 0; i < minutes.Count; i++)
        {
            var minute = minutes[i];
            var barHeight = (double)minute.Requests / most * height;
            html.Raw(Invariant($"<rect x=\"{i * step:0.#}\" y=\"{height - barHeight:0.#}\" width=\"{Math.Max(1, step - 1):0.#}\" height=\"{barHeight:0.#}\" fill=\"#bfdbfe\"/>"));
            if (minute.HitRatio is { } ratio)
            {
                line.Add(Invariant($"{(i + 0.5) * step:0.#},{height - (ratio * height):0.#}"));
            }
        }

        if (line.Count > 0)
        {
            html.Raw($"<polyline points=\"{string.Join(' ', line)}\" fill=\"none\" stroke=\"#18794e\" stroke-width=\"2\"/>");
        }

        html.Raw($"<text x=\"0\" y=\"{height + 15}\" font-size=\"11\" fill=\"#777\">an hour ago</text>");
        html.Raw($"<text x=\"{width}\" y=\"{height + 15}\" font-size=\"11\" fill=\"#777\" text-anchor=\"end\">now: bars requests (most {most:N0} a minute), line hit ratio</text></svg>");
    }

    private static void Activity(Html html, string title, IReadOnlyList<RepositoryActivity> repositories)
    {
        html.Raw("<table><tr><th>").Text(title).Raw("</th><th class=\"num\">pulls</th><th class=\"num\">bytes</th></tr>");
        foreach (var repository in repositories)
        {
            html.Raw("<tr><td>").Text(repository.Repository).Raw("</td><td class=\"num\">").Text($"{repository.Pulls:N0}")
                .Raw("</td><td class=\"num\">").Text(Bytes(repository.Bytes)).Raw("</td></tr>");
        }

        html.Raw("</table>");
    }

    private static string Percent(double? ratio) => ratio is { } r ? (r * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "-";

    private static string Short(string reference) => reference.StartsWith("sha256:", StringComparison.Ordinal) ? reference[..19] : reference;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Duration(TimeSpan span) =>
        span.TotalDays >= 1 ? $"{(int)span.TotalDays} d {span.Hours} h" : span.TotalHours >= 1 ? $"{(int)span.TotalHours} h {span.Minutes} min" : $"{(int)span.TotalMinutes} min";

    internal static string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return (unit == 0 ? value.ToString("0", CultureInfo.InvariantCulture) : value.ToString("0.0", CultureInfo.InvariantCulture)) + " " + units[unit];
    }

    /// <summary>An HTML document under construction: markup as written, text encoded.</summary>
    private sealed class Html
    {
        private readonly StringBuilder _builder = new();

        public Html Raw(string markup)
        {
            _builder.Append(markup);
            return this;
        }

        public Html Text(string text)
        {
            _builder.Append(HtmlEncoder.Default.Encode(text));
            return this;
        }

        public override string ToString() => _builder.ToString();
    }
}
