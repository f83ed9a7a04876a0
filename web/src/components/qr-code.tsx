import { useEffect, useState } from 'react';
import QRCode from 'qrcode';
import { Skeleton } from './ui';

/** Renders the session's QR string as an SVG on the client (no round trip when it rotates). */
export function QrCode({ value, size = 256, label }: { value: string; size?: number; label: string }) {
  const [svg, setSvg] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    QRCode.toString(value, { type: 'svg', errorCorrectionLevel: 'L', margin: 2, color: { dark: '#18181b', light: '#ffffff' } })
      .then((s) => live && (setSvg(s), setFailed(false)))
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
    };
  }, [value]);
  if (failed) return <p className="text-sm text-red-700">This QR code could not be drawn.</p>;
  if (!svg) return <Skeleton className="aspect-square w-full" />;
  return (
    <img
      src={`data:image/svg+xml;utf8,${encodeURIComponent(svg)}`}
      alt={label}
      width={size}
      height={size}
      data-qr={value}
      className="block aspect-square h-auto w-full max-w-full [image-rendering:pixelated]"
    />
  );
}
