#version 3.7;
// Stoneware bowl, 15 cm. Variant 0 = sand glaze, 1 = charcoal glaze.
#include "studio.inc"

#if (Variant = 1)
  #declare Glz = <0.055, 0.055, 0.060>;
#else
  #declare Glz = <0.72, 0.62, 0.47>;
#end
#declare Raw = Stoneware(<0.52, 0.40, 0.28>)
#declare Glazed = texture {
  pigment {
    granite
    color_map { [0.0 rgb Glz*0.80] [0.5 rgb Glz] [0.93 rgb Glz] [1.0 rgb Glz*0.45] }
    scale 0.5
  }
  normal { granite 0.04 scale 0.5 }
  finish { diffuse 0.75 ambient 0 specular 0.35 roughness 0.012
           reflection { 0.01, 0.10 fresnel on } conserve_energy }
}

#declare Bowl = lathe {
  linear_spline 24,
  <0, 0.25>, <3.2, 0.25>, <3.3, 0.0>, <3.8, 0.0>, <3.95, 0.3>, <4.3, 0.75>,
  <5.3, 1.55>, <6.3, 2.7>, <7.0, 4.0>, <7.4, 5.4>, <7.52, 6.5>,
  <7.48, 6.82>, <7.36, 6.95>, <7.22, 6.92>, <7.12, 6.78>,
  <7.05, 6.4>, <6.9, 5.3>, <6.5, 4.0>, <5.85, 2.9>, <4.9, 1.95>,
  <3.8, 1.35>, <2.4, 1.05>, <1.0, 0.98>, <0, 0.97>
  texture { gradient y texture_map { [0 Raw] [0.09 Raw] [0.09 Glazed] [1 Glazed] } scale 7 }
  interior { Glaze_Interior }
}

object { Bowl }
Shoot(<0, 3.0, 0>, 20.5, 24, 0)
Flags(40)
