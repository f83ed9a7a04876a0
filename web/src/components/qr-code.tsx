import { useEffect, useState } from 'react';
import QRCode from 'qrcode';
import { Skeleton } from './ui';

/**
 * Renders the session's QR string as an SVG on the client (no round trip when it rotates).
 * `data-qr` names the string the picture shows: while a new one is being drawn, the old one stays.
 */
export function QrCode({ value, size = 256, label }: { value: string; size?: number; label: string }) {
  const [drawn, setDrawn] = useState<{ value: string; svg: string } | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    QRCode.toString(value, { type: 'svg', errorCorrectionLevel: 'L', margin: 2, color: { dark: '#18181b', light: '#ffffff' } })
      .then((svg) => live && (setDrawn({ value, svg }), setFailed(false)))
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
    };
  }, [value]);
  if (failed) return <p className="text-sm text-red-700">This QR code could not be drawn.</p>;
  if (!drawn) return <Skeleton className="aspect-square w-full" />;
  return (
    <img
      src={`data:image/svg+xml;utf8,${encodeURIComponent(drawn.svg)}`}
      alt={label}
      width={size}
      height={size}
      data-qr={drawn.value}
      className="block aspect-square h-auto w-full max-w-full [image-rendering:pixelated]"
    />
  );
}
