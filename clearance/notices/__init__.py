"""Printed documents (văn bản): amounts and dates in words (words), the Decree 30/2020 PDF engine
(pdf), and the builders of each document type on top of templates/print/_document.html."""
