#!/usr/bin/env bash
# Set up a fresh Debian 12 machine with Node 20 for tongbao, then build the sample bulletin.
# Idempotent: installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: Chromium prints the PDF; poppler and qpdf judge it in the tests;
# Java runs the Nu HTML Checker (and the tests' XMP parser); Noto CJK is the fallback face for
# CJK text; icc-profiles-free has the sRGB profile of the PDF/A output intent.
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v qpdf >/dev/null 2>&1 || need+=(qpdf)
# The tests' judges in Java run from source (`java File.java`), which needs the JDK's compiler.
command -v javac >/dev/null 2>&1 || need+=(default-jdk-headless)
fc-list 2>/dev/null | grep -q 'Noto Serif CJK' || need+=(fonts-noto-cjk)
[ -f /usr/share/color/icc/sRGB.icc ] || need+=(icc-profiles-free)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# The tests make spreadsheets with python3's zipfile.
command -v python3 >/dev/null 2>&1 || need+=(python3)
# The tests' independent signature validator is written against PDFBox and Bouncy Castle.
[ -f /usr/share/java/pdfbox2.jar ] || need+=(libpdfbox2-java)
[ -f /usr/share/java/bcpkix.jar ] || need+=(libbcpkix-java)
[ -f /usr/share/java/bcprov.jar ] || need+=(libbcprov-java)
# LibreOffice opens the Word document in the tests and prints it, as a second reader of the grid.
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
if [ ${#need[@]} -gt 0 ]; then
  echo "安装 Debian 软件包：${need[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

npm ci --no-audit --no-fund
npm run build:ts
node bin/tongbao.js build 2016Q4
